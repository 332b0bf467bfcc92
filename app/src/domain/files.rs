//! Rules for attached files: their names, their sniffed content types, and how each type may be
//! served. The bytes are judged on the server; the browser's word is never taken.

use crate::error::AppError;

/// The longest file name kept (in characters, extension included).
pub const FILE_NAME_MAX: usize = 120;
/// Files one upload request may carry.
pub const FILES_PER_UPLOAD_MAX: usize = 10;
/// Attachments one message may carry.
pub const FILES_PER_MESSAGE_MAX: usize = 20;
/// The default size limit of one file, in megabytes (`HELPDESK_ATTACHMENT_MAX_MB`).
pub const DEFAULT_MAX_MB: u64 = 20;
/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIZE: u32 = 240;
/// The first bytes of a file that sniffing looks at.
pub const SNIFF_BYTES: usize = 8 * 1024;

/// A file name safe to store and to put in a header: the last path segment only, no control
/// characters, quotes or separators, not hidden, at most [`FILE_NAME_MAX`] characters (the
/// extension kept). An empty or unusable name becomes "file".
pub fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_control() || matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*' | ';' | '%') { '_' } else { c })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() {
        return "file".into();
    }
    if trimmed.chars().count() <= FILE_NAME_MAX {
        return trimmed.to_string();
    }
    let (stem, extension) = match trimmed.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 10 => (stem, Some(ext)),
        _ => (trimmed, None),
    };
    let room = FILE_NAME_MAX - extension.map_or(0, |e| e.chars().count() + 1);
    let mut name: String = stem.chars().take(room).collect();
    if let Some(extension) = extension {
        name.push('.');
        name.push_str(extension);
    }
    name
}

/// What a file's text looks like when no binary signature matched: markup (which a browser
/// could run) is told apart from plain text.
pub fn text_content_type(head: &str) -> &'static str {
    let start = head.trim_start_matches('\u{feff}').trim_start();
    if !start.starts_with('<') {
        return "text/plain";
    }
    let lower = start.chars().take(1024).collect::<String>().to_ascii_lowercase();
    if lower.contains("<svg") {
        "image/svg+xml"
    } else if lower.starts_with("<?xml") {
        "application/xml"
    } else {
        "text/html"
    }
}

/// The type a download is served with: anything a browser could render as a page or run as a
/// script goes out as opaque bytes.
pub fn served_content_type(stored: &str) -> &str {
    let essence = stored.split(';').next().unwrap_or_default().trim();
    let active = essence.contains("html")
        || essence.contains("xml")
        || essence.contains("javascript")
        || essence.contains("ecmascript");
    if active {
        "application/octet-stream"
    } else if essence == "text/plain" {
        "text/plain; charset=utf-8"
    } else {
        stored
    }
}

/// Images the server makes thumbnails of.
pub fn is_thumbnailable(content_type: &str) -> bool {
    matches!(content_type, "image/png" | "image/jpeg" | "image/webp" | "image/gif")
}

/// `Content-Disposition` for a download: always an attachment, the name percent-encoded as
/// RFC 5987 asks (`filename*=UTF-8''…`), with a plain ASCII `filename` for old clients.
pub fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let mut encoded = String::new();
    for byte in file_name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The size limit of one file, as a message a person can act on.
pub fn too_large(file_name: &str, max_bytes: u64) -> AppError {
    AppError::Invalid(format!("{} is larger than the limit of {} MB per file.", crate::domain::validate::quoted(file_name), max_bytes / (1024 * 1024)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_dangerous_characters() {
        assert_eq!(sanitize_file_name("C:\\Users\\me\\report.pdf"), "report.pdf");
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("a\"b<c>\n.txt"), "a_b_c__.txt");
        assert_eq!(sanitize_file_name("  .hidden "), "hidden");
        assert_eq!(sanitize_file_name("..."), "file");
        assert_eq!(sanitize_file_name(""), "file");
        let long = format!("{}.png", "x".repeat(300));
        let kept = sanitize_file_name(&long);
        assert_eq!(kept.chars().count(), FILE_NAME_MAX);
        assert!(kept.ends_with(".png"));
    }

    #[test]
    fn markup_is_recognised_in_text() {
        assert_eq!(text_content_type("hello <b>"), "text/plain");
        assert_eq!(text_content_type("\u{feff}  <svg xmlns='…'>"), "image/svg+xml");
        assert_eq!(text_content_type("<?xml version='1.0'?><svg>"), "image/svg+xml");
        assert_eq!(text_content_type("<?xml version='1.0'?><note/>"), "application/xml");
        assert_eq!(text_content_type("<!DOCTYPE html><p>"), "text/html");
        assert_eq!(text_content_type("<script>alert(1)</script>"), "text/html");
    }

    #[test]
    fn active_types_are_served_as_bytes() {
        for active in ["text/html", "image/svg+xml", "application/xml", "text/xml", "application/javascript", "application/xhtml+xml"] {
            assert_eq!(served_content_type(active), "application/octet-stream", "{active}");
        }
        assert_eq!(served_content_type("image/png"), "image/png");
        assert_eq!(served_content_type("text/plain"), "text/plain; charset=utf-8");
        assert_eq!(served_content_type("application/pdf"), "application/pdf");
    }

    #[test]
    fn disposition_is_always_an_attachment_with_the_encoded_name() {
        assert_eq!(content_disposition("a b.txt"), "attachment; filename=\"a b.txt\"; filename*=UTF-8''a%20b.txt");
        assert_eq!(content_disposition("Grüße.pdf"), "attachment; filename=\"Gr__e.pdf\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf");
    }
}
