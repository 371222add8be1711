//! What the kitchen needs to know of a day's meals: how many, by menu (diet), and how many
//! children avoid each of the 14 regulated allergens or have a PAI.

use family::model::{Allergen, ChildProfile, Diet};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KitchenCount {
    pub total: usize,
    /// Every diet, with zero where no child has it, in the menu's order.
    pub by_diet: Vec<(Diet, usize)>,
    /// Only the allergens some child avoids, in the regulation's order.
    pub by_allergen: Vec<(Allergen, usize)>,
    /// Children with an individual care plan (PAI): their meal follows it.
    pub care_plans: usize,
    /// Children with an allergy outside the 14, described in free text.
    pub other_allergies: usize,
}

/// Counts the meals of the children booked.
pub fn count<'a>(children: impl IntoIterator<Item = &'a ChildProfile>) -> KitchenCount {
    let mut diets = [0usize; 4];
    let mut allergens = [0usize; 14];
    let mut out = KitchenCount::default();
    for child in children {
        out.total += 1;
        if let Some(i) = Diet::ALL.iter().position(|d| *d == child.diet) {
            diets[i] += 1;
        }
        for allergen in &child.allergens {
            if let Some(i) = Allergen::ALL.iter().position(|a| a == allergen) {
                allergens[i] += 1;
            }
        }
        if child.care_plan {
            out.care_plans += 1;
        }
        if !child.allergy_notes.trim().is_empty() {
            out.other_allergies += 1;
        }
    }
    out.by_diet = Diet::ALL.iter().copied().zip(diets).collect();
    out.by_allergen = Allergen::ALL
        .iter()
        .copied()
        .zip(allergens)
        .filter(|(_, n)| *n > 0)
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn child(diet: Diet, allergens: &[Allergen], care_plan: bool, notes: &str) -> ChildProfile {
        ChildProfile {
            school: "École".into(),
            class_name: "CP".into(),
            diet,
            allergens: allergens.to_vec(),
            allergy_notes: notes.into(),
            care_plan,
            doctor: String::new(),
            insurance: String::new(),
        }
    }

    #[test]
    fn meals_by_menu_and_allergen() {
        let children = [
            child(Diet::Standard, &[], false, ""),
            child(Diet::NoPork, &[Allergen::Peanuts], true, "Anaphylaxie"),
            child(
                Diet::NoPork,
                &[Allergen::Milk, Allergen::Peanuts],
                false,
                "",
            ),
            child(Diet::Vegetarian, &[], false, "Kiwi"),
        ];
        let count = count(&children);
        assert_eq!(count.total, 4);
        assert_eq!(
            count.by_diet,
            vec![
                (Diet::Standard, 1),
                (Diet::NoPork, 2),
                (Diet::Vegetarian, 1),
                (Diet::NoMeat, 0)
            ]
        );
        assert_eq!(
            count.by_allergen,
            vec![(Allergen::Peanuts, 2), (Allergen::Milk, 1)]
        );
        assert_eq!((count.care_plans, count.other_allergies), (1, 2));
    }

    proptest! {
        #[test]
        fn every_meal_has_one_menu(diets in proptest::collection::vec(0usize..4, 0..200)) {
            let children: Vec<ChildProfile> = diets.iter().map(|d| child(Diet::ALL[*d], &[], false, "")).collect();
            let count = count(&children);
            prop_assert_eq!(count.by_diet.iter().map(|(_, n)| n).sum::<usize>(), count.total);
            prop_assert_eq!(count.total, children.len());
        }
    }
}
