//! A string that never shows itself in Debug output, so API keys stay out of logs.

use std::fmt;

/// A secret such as an API key. `Debug` prints `SecretString(***)`; there is no `Display`
/// and no serde support, so the value only leaves through [`SecretString::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }

    /// Returns the secret itself, for the one place that sends it (an HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Returns true when the secret is empty or only whitespace.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// Replaces every occurrence of the secret in `text` with `***`, for server messages
    /// that echo what they were sent.
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_owned();
        }
        text.replace(&self.0, "***")
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(***)")
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        SecretString(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        SecretString(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_value() {
        let secret = SecretString::new("sk-test-1234567890");
        assert_eq!(format!("{secret:?}"), "SecretString(***)");
        assert_eq!(
            format!("{:?}", Some(secret.clone())),
            "Some(SecretString(***))"
        );
        assert_eq!(secret.expose(), "sk-test-1234567890");
    }

    #[test]
    fn redact_replaces_echoed_key() {
        let secret = SecretString::new("sk-test-1234567890");
        assert_eq!(
            secret.redact("bad key sk-test-1234567890 given"),
            "bad key *** given"
        );
    }
}
