//! The pipelines a new team can start with: stage names and what each stage means.

use crate::model::{StageCategory, TeamTemplate};

/// The stages of a template, in board order.
pub fn stages(template: TeamTemplate) -> &'static [(&'static str, StageCategory)] {
    use StageCategory::*;
    match template {
        TeamTemplate::Support => &[("New", New), ("In progress", InProgress), ("Waiting on customer", Waiting), ("Solved", Solved), ("Cancelled", Cancelled)],
        TeamTemplate::FieldService => &[
            ("New", New),
            ("Scheduled", InProgress),
            ("On site", InProgress),
            ("Waiting for parts", Waiting),
            ("Done", Solved),
            ("Cancelled", Cancelled),
        ],
        TeamTemplate::Billing => &[("New", New), ("Checking", InProgress), ("Waiting on customer", Waiting), ("Resolved", Solved), ("Cancelled", Cancelled)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_starts_new_ends_closed_and_names_each_stage_once() {
        for template in TeamTemplate::ALL {
            let stages = stages(*template);
            assert_eq!(stages.first().map(|s| s.1), Some(StageCategory::New), "{template:?} takes tickets in");
            for category in StageCategory::ALL {
                assert!(stages.iter().any(|s| s.1 == *category), "{template:?} has no {category:?} stage");
            }
            let mut names: Vec<&str> = stages.iter().map(|s| s.0).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), stages.len(), "{template:?} repeats a stage name");
        }
    }
}
