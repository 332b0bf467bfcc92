//! Markdown as people write it in messages and articles, rendered to HTML that is safe to show:
//! the parser's output always goes through the sanitizer, never straight to a page.

use pulldown_cmark::{html, Event, Options, Parser};

/// Renders `text` to sanitized HTML. A single line break stays a line break (text pasted from
/// mail keeps its shape); raw HTML in the text is escaped or dropped by the sanitizer; links open
/// in a new tab without handing over the page.
pub fn render(text: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(text, options).map(|event| match event {
        Event::SoftBreak => Event::HardBreak,
        other => other,
    });
    let mut unsafe_html = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .set_tag_attribute_value("a", "target", "_blank")
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_html_and_line_breaks_stay() {
        let html = render("**Hello**\nsecond line\n\n- one\n- two");
        assert!(html.contains("<strong>Hello</strong><br>"), "{html}");
        assert!(html.contains("second line"));
        assert!(html.contains("<li>one</li>"));
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let html = render("<script>alert(1)</script><img src=x onerror=alert(2)> <b onclick=\"alert(4)\">b</b>\n\n[x](javascript:alert(3))");
        for bad in ["<script", "onerror", "href=\"javascript:", "onclick"] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
    }

    #[test]
    fn links_open_in_a_new_tab_without_the_opener() {
        let html = render("[docs](https://example.com)");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(html.contains("target=\"_blank\""));
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
    }
}
