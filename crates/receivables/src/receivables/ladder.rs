//! The collections escalation ladder (DESIGN "Time rules"): steps are data (days since the invoice
//! date, action, template, assignee role); which are due is decided from the invoice's state on
//! the run date, never from what an earlier run remembered, so a missed day or a partial payment
//! neither skips nor repeats a step.

use crate::access::Role;
use serde::Serialize;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, async_graphql::Enum)]
pub enum StepAction {
    /// Only recorded on the invoice's history (e.g. "invoice sent" on day 0).
    Record,
    /// An e-mail to the customer's billing contact, from the step's template.
    Email,
    /// A task for the assignee role (the customer's account manager when that is the role).
    Task,
    /// The account goes on watch and the account manager is alerted.
    Watch,
    /// The customer goes on credit hold.
    CreditHold,
}

impl StepAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            StepAction::Record => "record",
            StepAction::Email => "email",
            StepAction::Task => "task",
            StepAction::Watch => "watch",
            StepAction::CreditHold => "credit_hold",
        }
    }

    pub fn parse(text: &str) -> Option<StepAction> {
        [
            StepAction::Record,
            StepAction::Email,
            StepAction::Task,
            StepAction::Watch,
            StepAction::CreditHold,
        ]
        .into_iter()
        .find(|action| action.as_str() == text)
    }

    /// Whether the action speaks to the customer (only the latest such step is sent on catch-up).
    pub fn reaches_customer(&self) -> bool {
        matches!(self, StepAction::Email)
    }
}

/// The e-mail templates a step may name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("friendly_reminder", "Friendly reminder"),
    ("formal_notice", "Formal collections notice"),
    ("legal_demand", "Legal demand letter"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub id: i64,
    pub position: i32,
    pub days: i32,
    pub action: StepAction,
    pub label: String,
    pub template: Option<String>,
    pub assignee_role: Option<Role>,
    pub active: bool,
}

/// A shipped step: days, action, label, template, assignee role.
pub type DefaultStep = (
    i32,
    StepAction,
    &'static str,
    Option<&'static str>,
    Option<Role>,
);

/// The business's ladder, as shipped (DESIGN "Time rules from the business").
pub fn default_steps() -> Vec<DefaultStep> {
    vec![
        (0, StepAction::Record, "Invoice sent", None, None),
        (
            7,
            StepAction::Email,
            "Friendly reminder e-mail",
            Some("friendly_reminder"),
            None,
        ),
        (
            15,
            StepAction::Task,
            "AR follow-up: call and e-mail the customer",
            None,
            Some(Role::ArSpecialist),
        ),
        (
            30,
            StepAction::Watch,
            "Account on watch; account manager alerted",
            None,
            Some(Role::AccountManager),
        ),
        (
            45,
            StepAction::Email,
            "Formal collections notice",
            Some("formal_notice"),
            None,
        ),
        (
            45,
            StepAction::Task,
            "Call the customer about the formal notice",
            None,
            Some(Role::AccountManager),
        ),
        (
            60,
            StepAction::CreditHold,
            "Credit hold on the customer",
            None,
            None,
        ),
        (
            75,
            StepAction::Task,
            "Escalate to the customer's finance leadership",
            None,
            Some(Role::Cfo),
        ),
        (
            90,
            StepAction::Email,
            "Legal demand letter",
            Some("legal_demand"),
            None,
        ),
        (
            90,
            StepAction::Task,
            "Evaluate a collections agency or litigation",
            None,
            Some(Role::Cfo),
        ),
    ]
}

/// An invoice's state on the run date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceState {
    pub days_since_invoice: i64,
    pub open: bool,
    pub in_dispute: bool,
}

/// What a run does for one invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// Steps due and not yet done, in ladder order; each is recorded now.
    pub due: Vec<i64>,
    /// The one customer communication to send: the latest due e-mail.
    pub send: Option<i64>,
    /// Due e-mails overtaken by a later one (recorded, not sent).
    pub superseded: Vec<i64>,
}

/// Steps due for an invoice in `state`, given the steps already done for it. Nothing is due for
/// a settled invoice or one in open dispute (its ladder resumes where the dates put it).
pub fn decide(steps: &[Step], state: InvoiceState, done: &HashSet<i64>) -> Decision {
    if !state.open || state.in_dispute {
        return Decision::default();
    }
    let mut due: Vec<&Step> = steps
        .iter()
        .filter(|step| step.active)
        .filter(|step| i64::from(step.days) <= state.days_since_invoice)
        .filter(|step| !done.contains(&step.id))
        .collect();
    due.sort_by_key(|step| (step.days, step.position, step.id));
    let emails: Vec<i64> = due
        .iter()
        .filter(|step| step.action.reaches_customer())
        .map(|step| step.id)
        .collect();
    let send = emails.last().copied();
    Decision {
        due: due.iter().map(|step| step.id).collect(),
        send,
        superseded: emails.into_iter().filter(|id| Some(*id) != send).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn steps() -> Vec<Step> {
        default_steps()
            .into_iter()
            .enumerate()
            .map(|(index, (days, action, label, template, role))| Step {
                id: index as i64 + 1,
                position: index as i32,
                days,
                action,
                label: label.into(),
                template: template.map(String::from),
                assignee_role: role,
                active: true,
            })
            .collect()
    }

    fn open(days: i64) -> InvoiceState {
        InvoiceState {
            days_since_invoice: days,
            open: true,
            in_dispute: false,
        }
    }

    /// Runs `decide` day by day over `days`, returning (day, step id) for each step done.
    fn simulate(days: impl Iterator<Item = i64>, dispute: Option<(i64, i64)>) -> Vec<(i64, i64)> {
        let steps = steps();
        let mut done = HashSet::new();
        let mut log = Vec::new();
        for day in days {
            let in_dispute = dispute.is_some_and(|(from, to)| day >= from && day < to);
            let decision = decide(
                &steps,
                InvoiceState {
                    in_dispute,
                    ..open(day)
                },
                &done,
            );
            for id in decision.due {
                done.insert(id);
                log.push((day, id));
            }
        }
        log
    }

    #[test]
    fn every_step_happens_on_its_day_exactly_once() {
        let log = simulate(0..=95, None);
        let steps = steps();
        assert_eq!(log.len(), steps.len());
        for (day, id) in log {
            let step = steps.iter().find(|step| step.id == id).unwrap();
            assert_eq!(i64::from(step.days), day, "{}", step.label);
        }
    }

    #[test]
    fn a_dispute_pauses_and_the_dates_decide_where_it_resumes() {
        let log = simulate(0..=95, Some((20, 50)));
        let on_day_50: Vec<i64> = log
            .iter()
            .filter(|(day, _)| *day == 50)
            .map(|(_, id)| *id)
            .collect();
        // Watch (30) and both day-45 steps come due when the dispute closes on day 50.
        assert_eq!(on_day_50, vec![4, 5, 6]);
        assert!(log.iter().all(|(day, _)| *day < 20 || *day >= 50));
        assert_eq!(log.len(), steps().len());
    }

    #[test]
    fn catching_up_sends_only_the_latest_email() {
        let steps = steps();
        let done: HashSet<i64> = [1].into_iter().collect();
        let decision = decide(&steps, open(46), &done);
        assert_eq!(decision.due, vec![2, 3, 4, 5, 6]);
        assert_eq!(decision.send, Some(5));
        assert_eq!(decision.superseded, vec![2]);
    }

    #[test]
    fn a_settled_invoice_has_nothing_due() {
        let state = InvoiceState {
            open: false,
            ..open(100)
        };
        assert_eq!(
            decide(&steps(), state, &HashSet::new()),
            Decision::default()
        );
    }

    proptest! {
        /// Whatever days the run misses, each step is done exactly once, never before its day,
        /// and on the first run on or after its day.
        #[test]
        fn missed_days_never_skip_or_repeat(run_days in proptest::collection::btree_set(0i64..120, 1..60)) {
            let log = simulate(run_days.iter().copied(), None);
            let steps = steps();
            let mut seen = HashSet::new();
            for (day, id) in &log {
                prop_assert!(seen.insert(*id), "step {} twice", id);
                let step = steps.iter().find(|step| step.id == *id).unwrap();
                let first_run = run_days.iter().find(|run| **run >= i64::from(step.days)).copied();
                prop_assert_eq!(Some(*day), first_run);
            }
            let last = *run_days.iter().next_back().unwrap();
            let expected = steps.iter().filter(|step| i64::from(step.days) <= last).count();
            prop_assert_eq!(log.len(), expected);
        }
    }
}
