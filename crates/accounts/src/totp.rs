//! Time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30 s, one step of drift), as
//! every authenticator application reads them.

use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Builder, Secret, Totp};

pub fn new_secret() -> String {
    Secret::generate().to_base32()
}

fn totp(secret_base32: &str, account: &str, issuer: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account.replace(':', " "))
        .with_issuer(Some(issuer.replace(':', " ")))
        .build()
        .ok()
}

/// The matched time step when `code` is valid at `unix_seconds`.
pub fn check(secret_base32: &str, code: &str, unix_seconds: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| c.is_ascii_digit()).collect();
    if code.len() != 6 {
        return None;
    }
    totp(secret_base32, "x", "x")?
        .check(&code, unix_seconds)
        .and_then(|step| i64::try_from(step).ok())
}

/// The code an authenticator shows at `unix_seconds` (tests and demos).
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Option<String> {
    Some(
        totp(secret_base32, "x", "x")?
            .generate(unix_seconds)
            .to_string(),
    )
}

/// `otpauth://` address to add the account to an authenticator application.
pub fn otpauth_url(secret_base32: &str, account: &str, issuer: &str) -> Option<String> {
    totp(secret_base32, account, issuer)?.to_url().ok()
}

/// The same address as a QR code, in SVG (no script, no style attribute: CSP-safe).
pub fn qr_svg(url: &str, label: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(192, 192)
        .quiet_zone(true)
        .build();
    let label = label.replace(['"', '<', '>', '&'], " ");
    Some(svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" "),
        1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_reference_vector() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s → 94287082 (8
        // digits); its last six digits are the 6-digit code.
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
        assert_eq!(check(&secret, "287 082", 59), Some(1));
        // One step of drift either way is tolerated, two are not.
        assert!(check(&secret, "287082", 59 + 30).is_some());
        assert!(check(&secret, "287082", 59 + 90).is_none());
        assert!(check(&secret, "12345", 59).is_none());
    }

    #[test]
    fn qr_code_is_labelled_svg_without_style() {
        let secret = new_secret();
        let url = otpauth_url(&secret, "agent@demo.fr", "Ville de Démo").unwrap();
        assert!(url.starts_with("otpauth://totp/"));
        let svg = qr_svg(&url, "QR code").unwrap();
        assert!(svg.contains("role=\"img\""));
        assert!(!svg.contains("style="));
    }
}
