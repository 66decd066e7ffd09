//! HTTP plumbing shared by the OpenAI and Gemini providers: the client, status mapping,
//! `Retry-After` parsing and error bodies with secrets removed.

use super::secret::SecretString;
use super::LlmError;
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::time::Duration;

/// Maximum number of characters of an error body kept in [`LlmError::Rejected`] and [`LlmError::Server`].
pub(crate) const MAX_ERROR_BODY_CHARS: usize = 500;

/// Builds a client with a connect timeout and, when given, an overall request timeout.
pub(crate) fn build_client(
    provider: &str,
    connect_timeout: Duration,
    request_timeout: Option<Duration>,
) -> Result<reqwest::Client, LlmError> {
    let mut builder = reqwest::Client::builder().connect_timeout(connect_timeout);
    if let Some(timeout) = request_timeout {
        builder = builder.timeout(timeout);
    }
    builder.build().map_err(|error| LlmError::Config {
        provider: provider.to_owned(),
        message: format!(
            "cannot build the HTTP client: {}",
            error_chain(&error.without_url())
        ),
    })
}

/// Checks that `base_url` is an absolute http or https URL and returns it without a
/// trailing slash.
pub(crate) fn normalise_base_url(provider: &str, base_url: &str) -> Result<String, LlmError> {
    let trimmed = base_url.trim().trim_end_matches('/');
    let config_error = |message: String| LlmError::Config {
        provider: provider.to_owned(),
        message,
    };

    let parsed = reqwest::Url::parse(trimmed)
        .map_err(|error| config_error(format!("invalid base URL `{trimmed}`: {error}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(config_error(format!(
            "base URL `{trimmed}` must start with http:// or https://"
        )));
    }
    if parsed.password().is_some() || !parsed.username().is_empty() {
        return Err(config_error(
            "the base URL must not contain credentials; pass the API key as an option".to_owned(),
        ));
    }
    if parsed.query().is_some() {
        // The query is left out of the message because keys are sometimes passed there.
        return Err(config_error(format!(
            "base URL {}://{}{} must not contain a query string",
            parsed.scheme(),
            parsed.host_str().unwrap_or_default(),
            parsed.path()
        )));
    }
    Ok(trimmed.to_owned())
}

/// Maps a failed send (no HTTP status) to [`LlmError::Timeout`] or
/// [`LlmError::Transport`]. The URL is removed from the message. `timeout` is the limit that
/// expired: the request timeout when one is set, else the connect timeout.
pub(crate) fn transport_error(
    provider: &str,
    error: reqwest::Error,
    timeout: Duration,
) -> LlmError {
    let error = error.without_url();
    if error.is_timeout() {
        return LlmError::Timeout {
            provider: provider.to_owned(),
            timeout,
        };
    }
    LlmError::Transport {
        provider: provider.to_owned(),
        message: error_chain(&error),
    }
}

/// Maps a non-success HTTP status to an error: 429 to [`LlmError::RateLimited`] with the
/// `Retry-After` delay (or `fallback_retry_after` parsed from the body), 5xx to
/// [`LlmError::Server`], other statuses to [`LlmError::Rejected`].
pub(crate) fn status_error(
    provider: &str,
    status: u16,
    headers: &HeaderMap,
    body: &str,
    secret: Option<&SecretString>,
    fallback_retry_after: Option<Duration>,
) -> LlmError {
    if status == 429 {
        let retry_after = retry_after(headers, Utc::now()).or(fallback_retry_after);
        return LlmError::RateLimited {
            provider: provider.to_owned(),
            retry_after,
        };
    }

    let body = truncate(&redact(body, secret), MAX_ERROR_BODY_CHARS);
    if (500..600).contains(&status) {
        LlmError::Server {
            provider: provider.to_owned(),
            status,
            body,
        }
    } else {
        LlmError::Rejected {
            provider: provider.to_owned(),
            status,
            body,
        }
    }
}

/// Reads `Retry-After` as delay seconds or as an HTTP date relative to `now`. A date in the
/// past gives a zero delay.
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }

    let date = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

/// Returns a temperature as JSON with at most three decimals, so `0.2f32` is sent as `0.2`
/// and not as `0.20000000298023224`.
pub(crate) fn temperature_json(temperature: f32) -> serde_json::Value {
    let rounded = (f64::from(temperature) * 1000.0).round() / 1000.0;
    serde_json::Value::from(rounded)
}

/// Returns `text` with the secret replaced by `***`.
pub(crate) fn redact(text: &str, secret: Option<&SecretString>) -> String {
    match secret {
        Some(secret) => secret.redact(text),
        None => text.to_owned(),
    }
}

/// Returns at most `max_chars` characters of `text`, trimmed, with `…` when cut.
pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Joins an error and its sources with `: `, as in `error sending request: connection refused`.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// Returns the value of a response header as text, when present and visible ASCII.
pub(crate) fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)?
        .to_str()
        .ok()
        .map(str::to_owned)
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(retry_after).unwrap());
        headers
    }

    #[test]
    fn retry_after_reads_seconds() {
        assert_eq!(
            retry_after(&headers("7"), Utc::now()),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers("0.5"), Utc::now()),
            Some(Duration::from_millis(500))
        );
        assert_eq!(retry_after(&headers("-3"), Utc::now()), None);
        assert_eq!(retry_after(&headers("soon"), Utc::now()), None);
    }

    #[test]
    fn retry_after_reads_http_date() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:30Z")
            .unwrap()
            .with_timezone(&Utc);
        let delay = retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT"), now);
        assert_eq!(delay, Some(Duration::from_secs(30)));

        let later = now + chrono::Duration::minutes(5);
        assert_eq!(
            retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT"), later),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn status_error_maps_classes() {
        let empty = HeaderMap::new();
        let secret = SecretString::new("sk-secret-value");
        assert!(matches!(
            status_error("openai", 429, &headers("2"), "", None, None),
            LlmError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(2)
        ));
        assert!(matches!(
            status_error("openai", 503, &empty, "busy", None, None),
            LlmError::Server { status: 503, .. }
        ));
        let rejected = status_error(
            "openai",
            401,
            &empty,
            "bad key sk-secret-value",
            Some(&secret),
            None,
        );
        let LlmError::Rejected {
            status: 401, body, ..
        } = rejected
        else {
            panic!("expected Rejected")
        };
        assert_eq!(body, "bad key ***");
    }

    #[test]
    fn truncate_cuts_long_bodies() {
        assert_eq!(truncate("  corto ", 10), "corto");
        assert_eq!(truncate("áéíóúáéíóú", 3), "áéí…");
    }

    #[test]
    fn base_url_rejects_credentials_and_queries() {
        assert_eq!(
            normalise_base_url("openai", "http://127.0.0.1:8080/v1/").unwrap(),
            "http://127.0.0.1:8080/v1"
        );
        assert!(normalise_base_url("openai", "ftp://host/v1").is_err());
        assert!(normalise_base_url("openai", "https://user:pw@host/v1").is_err());
        assert!(normalise_base_url("openai", "https://host/v1?key=abc").is_err());
        assert!(normalise_base_url("openai", "not a url").is_err());
    }
}
