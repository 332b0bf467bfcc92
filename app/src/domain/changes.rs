//! Timeline wording for edits: one line per field that really changed.

/// `(field, old, new)` triples in, "Priority: Normal → High" lines out, unchanged fields left out.
pub fn describe(fields: &[(&str, String, String)]) -> Vec<String> {
    fields
        .iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| format!("{field}: {} → {}", shown(old), shown(new)))
        .collect()
}

fn shown(value: &str) -> &str {
    if value.is_empty() {
        "—"
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_described() {
        let lines = describe(&[
            ("Title", "A".into(), "A".into()),
            ("Priority", "Normal".into(), "High".into()),
            ("Product", "".into(), "Router X".into()),
        ]);
        assert_eq!(lines, vec!["Priority: Normal → High", "Product: — → Router X"]);
    }
}
