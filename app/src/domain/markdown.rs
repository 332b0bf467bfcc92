//! Markdown as people write it (articles, messages) → HTML safe to put in a page. The parser is
//! CommonMark with tables and strikethrough; whatever HTML the text carries goes through the
//! sanitizer, so scripts, event handlers and `javascript:` links never survive.

use pulldown_cmark::{html, Options, Parser};

/// Sanitized HTML for `markdown`. Links get `rel="noopener noreferrer"`; single line breaks are
/// kept (a pasted e-mail keeps its lines).
pub fn render_markdown(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        pulldown_cmark::Event::SoftBreak => pulldown_cmark::Event::HardBreak,
        other => other,
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    ammonia::Builder::default().link_rel(Some("noopener noreferrer")).clean(&unsafe_html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let html = render_markdown("# Reset\n\n**Bold** and [docs](https://example.com)\nnext line");
        assert!(html.contains("<h1>Reset</h1>"), "{html}");
        assert!(html.contains("<strong>Bold</strong>"), "{html}");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
        assert!(html.contains("<br"), "line breaks are kept: {html}");
    }

    #[test]
    fn active_content_is_removed() {
        let html = render_markdown("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }
}
