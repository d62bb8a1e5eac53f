//! Fetching remote media before the pure transform: http(s) image, document and video URLs in
//! messages become data URLs, as LiteLLM does, within a size limit and a timeout, with a
//! content-type check, and never from private, loopback or link-local addresses (the instance
//! metadata service lives at 169.254.169.254) unless the policy allows it.

use std::net::IpAddr;
use std::time::Duration;

use base64::Engine;
use bedrock_transport::HttpTransport;
use bedrock_types::chat::{ContentPart, ImageUrl, MessageContent};
use bedrock_types::{ChatCompletionRequest, Error, ErrorKind, Result};
use bytes::Bytes;

/// Limits on fetching remote media.
#[derive(Debug, Clone)]
pub struct MediaFetchPolicy {
    /// Largest accepted body, in bytes.
    pub max_bytes: usize,
    /// Time allowed per URL (all redirects included).
    pub timeout: Duration,
    /// Allow private, loopback and link-local addresses (off by default).
    pub allow_private_addresses: bool,
    /// Redirects followed at most.
    pub max_redirects: u8,
}

impl Default for MediaFetchPolicy {
    fn default() -> Self {
        MediaFetchPolicy {
            // Bedrock caps images at 3.75 MB and documents at 4.5 MB; videos inline at 25 MB.
            max_bytes: 25 * 1024 * 1024,
            timeout: Duration::from_secs(30),
            allow_private_addresses: false,
            max_redirects: 3,
        }
    }
}

fn is_remote(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// Whether `request` names any remote media (so the fetch step can be skipped cheaply).
pub(crate) fn has_remote_media(request: &ChatCompletionRequest) -> bool {
    request.messages.iter().any(|m| match &m.content {
        Some(MessageContent::Parts(parts)) => parts.iter().any(|p| match p {
            ContentPart::ImageUrl { image_url, .. } => is_remote(image_url.url()),
            ContentPart::VideoUrl { video_url } => is_remote(video_url.url()),
            ContentPart::File { file, .. } => file.file_id.as_deref().is_some_and(is_remote),
            _ => false,
        }),
        _ => false,
    })
}

/// Replace every http(s) media URL in `request` with a data URL of the fetched bytes.
pub(crate) async fn prefetch(
    request: &mut ChatCompletionRequest,
    transport: &HttpTransport,
    policy: &MediaFetchPolicy,
) -> Result<()> {
    for (i, message) in request.messages.iter_mut().enumerate() {
        let Some(MessageContent::Parts(parts)) = &mut message.content else {
            continue;
        };
        for (j, part) in parts.iter_mut().enumerate() {
            let field = format!("messages[{i}].content[{j}]");
            match part {
                ContentPart::ImageUrl { image_url, .. } if is_remote(image_url.url()) => {
                    let data = fetch_data_url(
                        image_url.url(),
                        image_url.format(),
                        &format!("{field}.image_url"),
                        transport,
                        policy,
                    )
                    .await?;
                    *image_url = match image_url {
                        ImageUrl::Url(_) => ImageUrl::Url(data),
                        ImageUrl::Object { detail, format, .. } => ImageUrl::Object {
                            url: data,
                            detail: detail.take(),
                            format: format.take(),
                        },
                    };
                }
                ContentPart::VideoUrl { video_url } if is_remote(video_url.url()) => {
                    let data = fetch_data_url(
                        video_url.url(),
                        video_url.format(),
                        &format!("{field}.video_url"),
                        transport,
                        policy,
                    )
                    .await?;
                    *video_url = ImageUrl::Url(data);
                }
                ContentPart::File { file, .. }
                    if file.file_id.as_deref().is_some_and(is_remote) =>
                {
                    let url = file.file_id.take().unwrap_or_default();
                    let data = fetch_data_url(
                        &url,
                        file.format.as_deref(),
                        &format!("{field}.file.file_id"),
                        transport,
                        policy,
                    )
                    .await?;
                    if file.filename.is_none() {
                        file.filename = url
                            .split(['?', '#'])
                            .next()
                            .and_then(|u| u.rsplit('/').next())
                            .filter(|n| !n.is_empty())
                            .map(str::to_owned);
                    }
                    file.file_data = Some(data);
                }
                _ => {}
            }
        }
    }
    Ok(())
}

async fn fetch_data_url(
    url: &str,
    format: Option<&str>,
    field: &str,
    transport: &HttpTransport,
    policy: &MediaFetchPolicy,
) -> Result<String> {
    let fetch = fetch(url, field, transport, policy);
    let (bytes, content_type) =
        tokio::time::timeout(policy.timeout, fetch)
            .await
            .map_err(|_| {
                media_error_of(
                    ErrorKind::Timeout,
                    field,
                    url,
                    format_args!("timed out after {:?}", policy.timeout),
                )
            })??;
    let mime = format
        .map(str::to_owned)
        .or(content_type.filter(|c| acceptable_type(c)))
        .or_else(|| guess_from_extension(url).map(str::to_owned))
        .ok_or_else(|| {
            media_error(
                field,
                url,
                "has no image, video or document content type (set `format` to say what it is)",
            )
        })?;
    if !acceptable_type(&mime) {
        return Err(media_error(
            field,
            url,
            format_args!("has content type `{mime}`, expected an image, video or document"),
        ));
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    Ok(format!("data:{mime};base64,{b64}"))
}

async fn fetch(
    url: &str,
    field: &str,
    transport: &HttpTransport,
    policy: &MediaFetchPolicy,
) -> Result<(Bytes, Option<String>)> {
    let mut current = url.to_owned();
    for _ in 0..=policy.max_redirects {
        let uri: http::Uri = current
            .parse()
            .map_err(|_| media_error(field, &current, "is not a valid URL"))?;
        let host = uri
            .host()
            .ok_or_else(|| media_error(field, &current, "has no host"))?;
        if !policy.allow_private_addresses {
            check_public(host, uri.port_u16(), uri.scheme_str(), field, &current).await?;
        }
        let request = http::Request::get(uri.clone())
            .body(Bytes::new())
            .map_err(|e| media_error(field, &current, format_args!("cannot be requested: {e}")))?;
        let response = transport.send(request).await.map_err(|e| {
            media_error(
                field,
                &current,
                format_args!("could not be fetched: {}", e.message()),
            )
        })?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| media_error(field, &current, "redirected without a Location"))?;
            current = resolve_location(&uri, location);
            continue;
        }
        if !status.is_success() {
            return Err(media_error(
                field,
                &current,
                format_args!("answered HTTP {}", status.as_u16()),
            ));
        }
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|c| c.split(';').next().unwrap_or(c).trim().to_ascii_lowercase());
        let body = response.into_body();
        if body.len() > policy.max_bytes {
            return Err(media_error(
                field,
                url,
                format_args!(
                    "is {} bytes, more than the {} allowed",
                    body.len(),
                    policy.max_bytes
                ),
            ));
        }
        return Ok((body, content_type));
    }
    Err(media_error(
        field,
        url,
        format_args!("redirected more than {} times", policy.max_redirects),
    ))
}

fn resolve_location(base: &http::Uri, location: &str) -> String {
    if is_remote(location) {
        return location.to_owned();
    }
    let scheme = base.scheme_str().unwrap_or("https");
    let authority = base.authority().map(|a| a.as_str()).unwrap_or_default();
    if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else {
        let path = base.path();
        let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        format!("{scheme}://{authority}{dir}/{location}")
    }
}

async fn check_public(
    host: &str,
    port: Option<u16>,
    scheme: Option<&str>,
    field: &str,
    url: &str,
) -> Result<()> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = port.unwrap_or(if scheme == Some("http") { 80 } else { 443 });
    let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| media_error(field, url, format_args!("host does not resolve: {e}")))?
            .map(|a| a.ip())
            .collect(),
    };
    if let Some(ip) = addrs.iter().find(|ip| !is_public(**ip)) {
        return Err(media_error_of(
            ErrorKind::PermissionDenied,
            field,
            url,
            format_args!(
                "resolves to the non-public address {ip}; fetching private, loopback or \
                 link-local media is off (MediaFetchPolicy::allow_private_addresses)"
            ),
        ));
    }
    Ok(())
}

/// Not loopback, private, link-local, CGNAT, unspecified, broadcast or unique-local.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] == 0)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00
                || (seg[0] & 0xffc0) == 0xfe80)
        }
    }
}

fn acceptable_type(mime: &str) -> bool {
    mime.starts_with("image/")
        || mime.starts_with("video/")
        || mime.starts_with("text/")
        || matches!(
            mime,
            "application/pdf"
                | "application/msword"
                | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                | "application/vnd.ms-excel"
                | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
}

fn guess_from_extension(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "html" => "text/html",
        "md" => "text/markdown",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "mkv" => "video/x-matroska",
        _ => return None,
    })
}

fn media_error(field: &str, url: &str, why: impl std::fmt::Display) -> Error {
    media_error_of(ErrorKind::BadRequest, field, url, why)
}

fn media_error_of(kind: ErrorKind, field: &str, url: &str, why: impl std::fmt::Display) -> Error {
    Error::new(kind, format!("`{field}`: the media URL {url} {why}")).with_param(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(
                !is_public(ip.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]))),
                "{ip}"
            );
        }
        for ip in ["8.8.8.8", "52.94.1.1", "2600:1f18::1"] {
            assert!(
                is_public(ip.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]))),
                "{ip}"
            );
        }
    }

    #[test]
    fn relative_redirects_resolve_against_the_base() {
        let base: http::Uri = "https://a.test/img/x.png".parse().unwrap_or_default();
        assert_eq!(resolve_location(&base, "/y.png"), "https://a.test/y.png");
        assert_eq!(resolve_location(&base, "z.png"), "https://a.test/img/z.png");
        assert_eq!(
            resolve_location(&base, "http://b.test/q"),
            "http://b.test/q"
        );
    }

    #[test]
    fn extensions_guess_types() {
        assert_eq!(
            guess_from_extension("https://x/a.PDF?sig=1"),
            Some("application/pdf")
        );
        assert_eq!(guess_from_extension("https://x/a"), None);
    }
}
