//! Form errors, shown next to each field and summarised at the top with links (RGAA).

#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    errors: Vec<(String, String)>,
}

impl FormErrors {
    pub fn new() -> FormErrors {
        FormErrors::default()
    }
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.errors.push((field.to_string(), message.into()));
        }
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
    pub fn len(&self) -> usize {
        self.errors.len()
    }
    pub fn all(&self) -> &[(String, String)] {
        &self.errors
    }
}

/// A relative path that stays on this site (for `?suivant=` redirects).
pub fn safe_local_path(path: &str) -> Option<&str> {
    // Browsers drop tabs and newlines from URLs and read `\` as `/`, so "/\t/evil" or
    // "/\\evil" would leave the site: refuse any control character, space or backslash.
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    local.then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_local_path("/mon-espace"), Some("/mon-espace"));
        assert_eq!(safe_local_path("//evil.example"), None);
        assert_eq!(safe_local_path("https://evil.example"), None);
        assert_eq!(safe_local_path("/\\evil.example"), None);
        assert_eq!(safe_local_path("/\t/evil.example"), None);
        assert_eq!(safe_local_path("/\n/evil.example"), None);
        assert_eq!(safe_local_path("/ /evil.example"), None);
        assert_eq!(
            safe_local_path("/mon-espace?onglet=factures"),
            Some("/mon-espace?onglet=factures")
        );
    }

    #[test]
    fn first_error_per_field_wins() {
        let mut errors = FormErrors::new();
        errors.add("email", "a");
        errors.add("email", "b");
        assert_eq!(errors.get("email"), Some("a"));
        assert_eq!(errors.len(), 1);
    }
}
