//! The commune's colours, checked for contrast, served as CSS variables.

/// WCAG contrast ratio of `#rrggbb` against white.
pub fn contrast_on_white(hex: &str) -> f64 {
    let channel = |i: usize| {
        let v =
            u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0) as f64 / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    1.05 / (luminance + 0.05)
}

/// `/theme.css`: the configured colours as CSS custom properties.
pub fn theme_css(primary: &str) -> String {
    format!(":root {{ --couleur-principale: {primary}; }}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_examples() {
        assert!((contrast_on_white("#000000") - 21.0).abs() < 0.01);
        assert!((contrast_on_white("#ffffff") - 1.0).abs() < 0.01);
        assert!(contrast_on_white("#1d4f91") > 4.5);
        assert!(contrast_on_white("#777777") < 4.5);
    }
}
