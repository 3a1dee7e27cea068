//! Who owes a report. By default every LEAD unit of a task, or, where the task has none, every
//! RESPONSIBLE unit; cooperating units may contribute but owe nothing. A document can choose
//! another rule (`ObligationRule`): leads and responsible units, every unit, the first listed,
//! or the leads consolidating their partners' contributions (`reports::contributions`). Pure:
//! no database.

use entity::enums::{ObligationRule, UnitRole};
use entity::task_units;
use itertools::Itertools;

/// The units that owe a report for a task with these assignments.
pub fn owing_units(rule: ObligationRule, assignments: &[task_units::Model]) -> Vec<i64> {
    let with = |roles: &[UnitRole]| -> Vec<i64> {
        // A unit may hold two roles on a task (lead and responsible): it still owes once.
        // `unique`, not `dedup`: the same unit need not be listed next to itself.
        assignments
            .iter()
            .filter(|a| roles.contains(&a.role))
            .map(|a| a.unit_id)
            .unique()
            .collect()
    };
    match rule {
        // Partners contribute to the lead (`reports::contributions`); the lead owes the report.
        ObligationRule::LeadElseResponsible | ObligationRule::LeadConsolidating => {
            let leads = with(&[UnitRole::Lead]);
            if leads.is_empty() {
                with(&[UnitRole::Responsible])
            } else {
                leads
            }
        }
        ObligationRule::LeadAndResponsible => with(&[UnitRole::Lead, UnitRole::Responsible]),
        ObligationRule::AllAssigned => {
            with(&[UnitRole::Lead, UnitRole::Responsible, UnitRole::Cooperating])
        }
        // As listed: leads first, then responsible, then cooperating units, each in the
        // notice's order.
        ObligationRule::FirstListed => assignments
            .iter()
            .min_by_key(|a| (role_order(a.role), a.position, a.id))
            .map(|a| vec![a.unit_id])
            .unwrap_or_default(),
    }
}

fn role_order(role: UnitRole) -> u8 {
    match role {
        UnitRole::Lead => 0,
        UnitRole::Responsible => 1,
        UnitRole::Cooperating => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignment(unit_id: i64, role: UnitRole) -> task_units::Model {
        task_units::Model {
            id: unit_id,
            task_id: 1,
            unit_id,
            role,
            position: 1,
            name_as_written: String::new(),
            is_local: false,
        }
    }

    #[test]
    fn lead_units_owe_else_responsible_ones() {
        let with_lead = [
            assignment(1, UnitRole::Lead),
            assignment(2, UnitRole::Responsible),
            assignment(3, UnitRole::Cooperating),
        ];
        assert_eq!(
            owing_units(ObligationRule::LeadElseResponsible, &with_lead),
            [1]
        );
        assert_eq!(
            owing_units(ObligationRule::LeadAndResponsible, &with_lead),
            [1, 2]
        );
        assert_eq!(
            owing_units(ObligationRule::AllAssigned, &with_lead),
            [1, 2, 3]
        );
        let without = [
            assignment(2, UnitRole::Responsible),
            assignment(4, UnitRole::Responsible),
            assignment(3, UnitRole::Cooperating),
        ];
        assert_eq!(
            owing_units(ObligationRule::LeadElseResponsible, &without),
            [2, 4]
        );
        // Consolidating: the lead owes, as by default; the partners contribute to it.
        assert_eq!(
            owing_units(ObligationRule::LeadConsolidating, &with_lead),
            [1]
        );
        // First listed: the first of the list, leads before the others.
        assert_eq!(owing_units(ObligationRule::FirstListed, &with_lead), [1]);
        let mut second = assignment(4, UnitRole::Responsible);
        second.position = 2;
        let listed = [second, assignment(2, UnitRole::Responsible)];
        assert_eq!(owing_units(ObligationRule::FirstListed, &listed), [2]);
        assert_eq!(
            owing_units(ObligationRule::FirstListed, &[]),
            Vec::<i64>::new()
        );
    }

    #[test]
    fn a_unit_with_two_roles_owes_once_wherever_it_is_listed() {
        // Found by the stored-obligations property test: unit 1 lead, unit 2 lead, unit 1
        // responsible again owed twice under the rules that count both roles.
        let twice = [
            assignment(1, UnitRole::Lead),
            assignment(2, UnitRole::Lead),
            assignment(1, UnitRole::Responsible),
        ];
        assert_eq!(
            owing_units(ObligationRule::LeadAndResponsible, &twice),
            [1, 2]
        );
        assert_eq!(owing_units(ObligationRule::AllAssigned, &twice), [1, 2]);
        assert_eq!(
            owing_units(ObligationRule::LeadElseResponsible, &twice),
            [1, 2]
        );
    }
}
