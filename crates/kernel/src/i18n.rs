//! Translation catalogue. Every crate keeps its UI text in `locales/{fr,en}/*.ftl`
//! (Fluent) and registers its loader; pages look keys up through a `Tr` for the visitor's
//! language. French is the reference and the fallback; English is complete too.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, StaticLoader, langid};

fluent_templates::static_loader! {
    pub static KERNEL_LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::Fr => langid!("fr"),
            Lang::En => langid!("en"),
        }
    }
}

/// Every crate's loader, looked up in order.
#[derive(Default)]
pub struct Catalogue {
    loaders: Vec<&'static StaticLoader>,
}

impl Catalogue {
    pub fn new(loaders: Vec<&'static StaticLoader>) -> Catalogue {
        Catalogue { loaders }
    }

    fn lookup(
        &self,
        lang: Lang,
        key: &str,
        args: Option<&HashMap<Cow<'static, str>, FluentValue>>,
    ) -> String {
        let id = lang.id();
        for loader in &self.loaders {
            if let Some(text) = loader.try_lookup_complete(&id, key, args) {
                return text;
            }
        }
        tracing::warn!(key, lang = lang.code(), "clé de traduction absente");
        key.to_string()
    }
}

/// The translator handed to every page.
#[derive(Clone)]
pub struct Tr {
    pub lang: Lang,
    catalogue: Arc<Catalogue>,
}

impl Tr {
    pub fn new(lang: Lang, catalogue: Arc<Catalogue>) -> Tr {
        Tr { lang, catalogue }
    }

    pub fn t(&self, key: &str) -> String {
        self.catalogue.lookup(self.lang, key, None)
    }

    /// With one named argument: `tr.t1("welcome", "name", "Camille")`. Whole numbers are
    /// passed as numbers, so that plural forms (`[one]`, `*[other]`) are chosen.
    pub fn t1(&self, key: &str, name: &'static str, value: impl ToString) -> String {
        let mut args = HashMap::new();
        args.insert(Cow::Borrowed(name), argument(value.to_string()));
        self.catalogue.lookup(self.lang, key, Some(&args))
    }

    pub fn t2(
        &self,
        key: &str,
        name1: &'static str,
        value1: impl ToString,
        name2: &'static str,
        value2: impl ToString,
    ) -> String {
        let mut args = HashMap::new();
        args.insert(Cow::Borrowed(name1), argument(value1.to_string()));
        args.insert(Cow::Borrowed(name2), argument(value2.to_string()));
        self.catalogue.lookup(self.lang, key, Some(&args))
    }
}

impl Tr {
    /// With any number of named arguments, for messages that need more than two.
    pub fn tn(&self, key: &str, values: &[(&'static str, String)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = values
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), argument(value.clone())))
            .collect();
        self.catalogue.lookup(self.lang, key, Some(&args))
    }
}

/// A whole number written plainly ("1", "42", not "06" nor "2,5") becomes a Fluent number.
fn argument(value: String) -> FluentValue<'static> {
    match value.parse::<i64>() {
        Ok(n) if n.to_string() == value => FluentValue::from(n),
        _ => FluentValue::from(value),
    }
}

/// Keys of a Fluent source (messages only, not attributes or terms).
pub fn keys(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| {
            let (key, _) = line.split_once('=')?;
            let key = key.trim_end();
            let first = key.chars().next()?;
            (first.is_ascii_lowercase()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .then(|| key.to_string())
        })
        .collect()
}

/// Keys present in one language and missing in the other, both ways.
pub fn differences(fr: &str, en: &str) -> Vec<String> {
    let fr_keys = keys(fr);
    let en_keys = keys(en);
    let mut diff: Vec<String> = fr_keys
        .iter()
        .filter(|k| !en_keys.contains(k))
        .map(|k| format!("{k} (absent en anglais)"))
        .collect();
    diff.extend(
        en_keys
            .iter()
            .filter(|k| !fr_keys.contains(k))
            .map(|k| format!("{k} (absent en français)")),
    );
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_catalogue_is_complete_in_both_languages() {
        let diff = differences(
            include_str!("../locales/fr/kernel.ftl"),
            include_str!("../locales/en/kernel.ftl"),
        );
        assert!(diff.is_empty(), "{diff:?}");
    }

    #[test]
    fn plural_forms_follow_numbers() {
        let catalogue = Arc::new(Catalogue::new(vec![&*KERNEL_LOCALES]));
        let fr = Tr::new(Lang::Fr, catalogue);
        assert_eq!(
            fr.t1("form-error-summary", "count", 1),
            "Le formulaire contient une erreur"
        );
        assert_eq!(
            fr.t1("form-error-summary", "count", 3),
            "Le formulaire contient 3 erreurs"
        );
    }

    #[test]
    fn lookup_uses_the_language_and_arguments() {
        let catalogue = Arc::new(Catalogue::new(vec![&*KERNEL_LOCALES]));
        let fr = Tr::new(Lang::Fr, catalogue.clone());
        let en = Tr::new(Lang::En, catalogue);
        assert_eq!(fr.t("nav-home"), "Accueil");
        assert_eq!(en.t("nav-home"), "Home");
        assert_eq!(fr.t("no-such-key"), "no-such-key");
        assert!(
            fr.t1("footer-copyright", "commune", "Ville de Démo")
                .contains("Ville de Démo")
        );
    }
}
