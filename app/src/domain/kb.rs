//! Knowledge-base rules: what an article may hold, and the plain-text excerpt a list shows.

use crate::domain::validate::quoted;
use crate::error::AppError;
use crate::model::ArticleInput;

pub const ARTICLE_TITLE_MAX: usize = 200;
pub const ARTICLE_BODY_MAX: usize = 100_000;
pub const CATEGORY_MAX: usize = 60;
/// Articles one list shows (the search narrows them down).
pub const LIST_MAX: i64 = 100;
pub const EXCERPT_CHARS: usize = 160;

/// The input trimmed and checked: a title, a body within bounds, a short category.
pub fn article(input: &ArticleInput) -> Result<ArticleInput, AppError> {
    let title = input.title.trim();
    if title.is_empty() {
        return Err(AppError::Invalid("Title is required.".into()));
    }
    if title.chars().count() > ARTICLE_TITLE_MAX {
        return Err(AppError::Invalid(format!("Title is longer than {ARTICLE_TITLE_MAX} characters.")));
    }
    if input.body.chars().count() > ARTICLE_BODY_MAX {
        return Err(AppError::Invalid(format!("The article is longer than {ARTICLE_BODY_MAX} characters.")));
    }
    Ok(ArticleInput { title: title.into(), body: input.body.trim_end().into(), category: category(&input.category)?, published: input.published })
}

/// A category name (empty: none).
pub fn category(value: &str) -> Result<String, AppError> {
    let value = value.trim();
    if value.chars().count() > CATEGORY_MAX {
        return Err(AppError::Invalid(format!("Category {} is longer than {CATEGORY_MAX} characters.", quoted(value))));
    }
    Ok(value.into())
}

/// The start of a Markdown text as plain text on one line, for lists.
pub fn excerpt(markdown: &str) -> String {
    let plain: String = markdown
        .lines()
        .map(|line| line.trim_start_matches(['#', '>', '-', '*', ' ']).trim())
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`'))
        .collect();
    if plain.chars().count() <= EXCERPT_CHARS {
        return plain;
    }
    let mut cut: String = plain.chars().take(EXCERPT_CHARS).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_need_a_title_and_bounded_text() {
        let input = |title: &str, body: &str, category: &str| ArticleInput { title: title.into(), body: body.into(), category: category.into(), published: true };
        assert_eq!(article(&input("  Reset  ", "Body\n\n", " Accounts ")).unwrap(), input("Reset", "Body", "Accounts"));
        assert!(matches!(article(&input(" ", "x", "")), Err(AppError::Invalid(_))));
        assert!(matches!(article(&input(&"t".repeat(ARTICLE_TITLE_MAX + 1), "", "")), Err(AppError::Invalid(_))));
        assert!(matches!(article(&input("t", &"b".repeat(ARTICLE_BODY_MAX + 1), "")), Err(AppError::Invalid(_))));
        assert!(matches!(article(&input("t", "", &"c".repeat(CATEGORY_MAX + 1))), Err(AppError::Invalid(_))));
    }

    #[test]
    fn excerpts_are_plain_and_short() {
        assert_eq!(excerpt("# Title\n\n**Bold** text\n- item"), "Title Bold text item");
        let long = excerpt(&"word ".repeat(100));
        assert_eq!(long.chars().count(), EXCERPT_CHARS + 1);
        assert!(long.ends_with('…'));
    }
}
