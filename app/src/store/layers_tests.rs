//! The store's layering: every module uses only modules listed before it, so there is no
//! import loop and shared helpers stay below the features that use them.

use std::collections::BTreeSet;

/// Bottom to top. `mod` stands for `store/mod.rs` (pools and row helpers).
const LAYERS: &[&str] = &[
    "dialect", "mod", "lookup", "timeline", "audit", "catalogs", "ticket_writes", "rules", "notifications", "users", "time_off",
    "qualifications", "entitlements", "work_log", "ticket_events", "customers", "relations", "resolutions", "sla", "board", "queues", "assignment",
    "routing", "automation", "sla_work", "sla_setup", "attachments", "kb", "ticket_flow", "conversation", "tickets", "leads", "pull", "timed", "merge", "teams",
    "organisation", "portal", "seed", "fixtures",
];

/// The store modules a file's non-test code names (`super::x`, `crate::store::x`).
fn uses(source: &str) -> BTreeSet<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found = BTreeSet::new();
    for prefix in ["super::", "crate::store::"] {
        for (at, _) in code.match_indices(prefix) {
            let rest = &code[at + prefix.len()..];
            let names: Vec<&str> = if let Some(list) = rest.strip_prefix('{') {
                list.split('}').next().unwrap_or_default().split(',').map(|n| n.trim().split("::").next().unwrap_or_default()).collect()
            } else {
                vec![rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default()]
            };
            found.extend(names.into_iter().filter(|n| LAYERS.contains(n)).map(String::from));
        }
    }
    found
}

#[test]
fn every_store_module_uses_only_the_layers_below_it() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    let mut checked = 0;
    let mut violations = Vec::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if name.ends_with("_tests") {
            continue;
        }
        let rank = LAYERS.iter().position(|l| *l == name).unwrap_or_else(|| panic!("store/{name}.rs is not in LAYERS: give it a place"));
        for used in uses(&std::fs::read_to_string(&path).unwrap()) {
            let used_rank = LAYERS.iter().position(|l| *l == used).unwrap();
            if used_rank >= rank && used != name {
                violations.push(format!("{name} uses {used}, which is not below it"));
            }
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} store modules found");
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_reference_scanner_finds_plain_and_grouped_uses() {
    let source = "use super::lookup::{stage, stages_of};\nuse super::{decode, sla, Db};\nfn f() { crate::store::routing::route(); }\n#[cfg(test)]\nmod tests { use crate::store::seed; }";
    let found: Vec<String> = uses(source).into_iter().collect();
    assert_eq!(found, ["lookup", "routing", "sla"]);
}
