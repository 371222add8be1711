//! What changes between two versions of a form, shown to the administrator before a new
//! version is published: pages added, removed or moved, fields added, removed or changed
//! (and what changed in them), blocks moved within their page. Pure.
//!
//! Fields are the same field when they have the same key: the key names the answer, in
//! stored requests and in exports, so a renamed key is a field removed and another added.
//! Pages have no key: a page is the same page when it has the same title, or, failing
//! that, when it holds the same fields.

use std::collections::HashSet;

use serde::Serialize;

use crate::forms::{Block, Field, FieldKind, FormDefinition, FormPage};

/// One field, as the diff names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldSummary {
    pub key: String,
    pub label: String,
    /// The title of the page it is on.
    pub page: String,
}

/// What changed in a field kept from one version to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldAspect {
    Label,
    Type,
    Required,
    /// Lengths, bounds or pattern.
    Validation,
    Options,
    Condition,
    Help,
    Prefill,
    /// Moved to another page.
    Page,
}

impl FieldAspect {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldAspect::Label => "label",
            FieldAspect::Type => "type",
            FieldAspect::Required => "required",
            FieldAspect::Validation => "validation",
            FieldAspect::Options => "options",
            FieldAspect::Condition => "condition",
            FieldAspect::Help => "help",
            FieldAspect::Prefill => "prefill",
            FieldAspect::Page => "page",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub key: String,
    pub label: String,
    pub old_label: String,
    pub aspects: Vec<FieldAspect>,
}

/// What changed in a page kept from one version to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PageAspect {
    Title,
    Condition,
    /// Its titles and explanations.
    Texts,
    /// The order of the blocks it kept.
    Order,
}

impl PageAspect {
    pub fn as_str(self) -> &'static str {
        match self {
            PageAspect::Title => "title",
            PageAspect::Condition => "condition",
            PageAspect::Texts => "texts",
            PageAspect::Order => "order",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageChange {
    pub title: String,
    pub old_title: String,
    pub aspects: Vec<PageAspect>,
}

/// A page kept that changed place; positions count from 1, in the old and the new form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageMove {
    pub title: String,
    pub from: usize,
    pub to: usize,
}

/// A block kept on its page that changed place there (positions from 1 in the page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockMove {
    /// The title of the page, as it is now.
    pub page: String,
    /// A field's label, or the text of a title or an explanation.
    pub name: String,
    /// The field's key; none for a text.
    pub key: Option<String>,
    pub from: usize,
    pub to: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FormDiff {
    pub pages_added: Vec<String>,
    pub pages_removed: Vec<String>,
    pub pages_moved: Vec<PageMove>,
    pub pages_changed: Vec<PageChange>,
    pub blocks_moved: Vec<BlockMove>,
    pub fields_added: Vec<FieldSummary>,
    pub fields_removed: Vec<FieldSummary>,
    pub fields_changed: Vec<FieldChange>,
}

impl FormDiff {
    pub fn is_empty(&self) -> bool {
        self.pages_added.is_empty()
            && self.pages_removed.is_empty()
            && self.pages_moved.is_empty()
            && self.pages_changed.is_empty()
            && self.blocks_moved.is_empty()
            && self.fields_added.is_empty()
            && self.fields_removed.is_empty()
            && self.fields_changed.is_empty()
    }
}

fn page_fields(page: &FormPage) -> impl Iterator<Item = &Field> {
    page.blocks.iter().filter_map(|b| match b {
        Block::Field(f) => Some(f),
        _ => None,
    })
}

/// What a block is, to follow it from one version to the next: a field by its key, a
/// title or an explanation by its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Ident<'a> {
    Field(&'a str),
    Title(&'a str),
    Explanation(&'a str),
}

fn ident(block: &Block) -> Ident<'_> {
    match block {
        Block::Field(f) => Ident::Field(&f.key),
        Block::Title { text } => Ident::Title(text),
        Block::Explanation { text } => Ident::Explanation(text),
    }
}

fn page_texts(page: &FormPage) -> Vec<Ident<'_>> {
    let mut texts: Vec<Ident<'_>> = page
        .blocks
        .iter()
        .map(ident)
        .filter(|i| !matches!(i, Ident::Field(_)))
        .collect();
    texts.sort();
    texts
}

/// Whether the blocks both versions of a page hold are in another order.
fn reordered(before: &FormPage, now: &FormPage) -> bool {
    let kept_now: HashSet<Ident<'_>> = now.blocks.iter().map(ident).collect();
    let order_before: Vec<Ident<'_>> = before
        .blocks
        .iter()
        .map(ident)
        .filter(|i| kept_now.contains(i))
        .collect();
    let kept_before: HashSet<Ident<'_>> = order_before.iter().copied().collect();
    let order_now: Vec<Ident<'_>> = now
        .blocks
        .iter()
        .map(ident)
        .filter(|i| kept_before.contains(i))
        .collect();
    order_before != order_now
}

/// Of things kept from one version to the next, given by their old places in their new
/// order, which ones moved: those outside a longest run that kept its order. Swapping two
/// neighbours moves one of them, the one that went up; taking one out and putting it
/// elsewhere moves that one only.
fn moved(old_places: &[usize]) -> Vec<bool> {
    let n = old_places.len();
    // longest[i]: the longest increasing run ending at i; before[i]: the one before it.
    let mut longest = vec![1usize; n];
    let mut before: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        for j in 0..i {
            // `>=` keeps, on a tie, the latest element before: the runs that stay put
            // are then those further down, and what went up is what moved.
            if old_places[j] < old_places[i] && longest[j] + 1 >= longest[i] {
                longest[i] = longest[j] + 1;
                before[i] = Some(j);
            }
        }
    }
    let mut out = vec![true; n];
    let mut at = (0..n).max_by_key(|&i| (longest[i], i));
    while let Some(i) = at {
        out[i] = false;
        at = before[i];
    }
    out
}

/// The blocks both versions of a page hold that changed place in it.
fn block_moves(before: &FormPage, now: &FormPage) -> Vec<BlockMove> {
    // The same block is the same ident; with two identical texts, the first with the
    // first.
    let mut used = vec![false; before.blocks.len()];
    let kept: Vec<(usize, usize)> = now
        .blocks
        .iter()
        .enumerate()
        .filter_map(|(n, block)| {
            let o = (0..before.blocks.len())
                .find(|&o| !used[o] && ident(&before.blocks[o]) == ident(block))?;
            used[o] = true;
            Some((n, o))
        })
        .collect();
    let olds: Vec<usize> = kept.iter().map(|(_, o)| *o).collect();
    kept.iter()
        .zip(moved(&olds))
        .filter(|(_, m)| *m)
        .map(|(&(n, o), _)| {
            let (name, key) = match &now.blocks[n] {
                Block::Field(f) => (f.label.clone(), Some(f.key.clone())),
                Block::Title { text } | Block::Explanation { text } => (text.clone(), None),
            };
            BlockMove {
                page: now.title.clone(),
                name,
                key,
                from: o + 1,
                to: n + 1,
            }
        })
        .collect()
}

/// For each new page, the old page it continues (if any).
fn match_pages(old: &FormDefinition, new: &FormDefinition) -> Vec<Option<usize>> {
    let mut matched: Vec<Option<usize>> = vec![None; new.pages.len()];
    let mut taken = vec![false; old.pages.len()];
    // Same title first, in order, so that two pages with one title pair up in order.
    for (n, page) in new.pages.iter().enumerate() {
        if let Some(o) =
            (0..old.pages.len()).find(|&o| !taken[o] && old.pages[o].title == page.title)
        {
            matched[n] = Some(o);
            taken[o] = true;
        }
    }
    // Then a renamed page: the old page it shares the most fields with.
    for (n, page) in new.pages.iter().enumerate() {
        if matched[n].is_some() {
            continue;
        }
        let keys: HashSet<&str> = page_fields(page).map(|f| f.key.as_str()).collect();
        let best = (0..old.pages.len())
            .filter(|&o| !taken[o])
            .map(|o| {
                let shared = page_fields(&old.pages[o])
                    .filter(|f| keys.contains(f.key.as_str()))
                    .count();
                (shared, o)
            })
            .filter(|(shared, _)| *shared > 0)
            // The most shared fields; on a tie, the earliest page.
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, o)) = best {
            matched[n] = Some(o);
            taken[o] = true;
        }
    }
    matched
}

fn options(kind: &FieldKind) -> Option<&Vec<String>> {
    match kind {
        FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options } => {
            Some(options)
        }
        _ => None,
    }
}

/// Lengths, bounds and pattern of a field, whatever its type.
#[derive(PartialEq)]
struct Checks<'a> {
    min_length: Option<u32>,
    max_length: Option<u32>,
    pattern: Option<&'a crate::forms::Pattern>,
    min: Option<i64>,
    max: Option<i64>,
}

fn validation(kind: &FieldKind) -> Checks<'_> {
    let none = Checks {
        min_length: None,
        max_length: None,
        pattern: None,
        min: None,
        max: None,
    };
    match kind {
        FieldKind::ShortText {
            min_length,
            max_length,
            pattern,
        } => Checks {
            min_length: *min_length,
            max_length: *max_length,
            pattern: pattern.as_ref(),
            ..none
        },
        FieldKind::LongText { max_length } => Checks {
            max_length: *max_length,
            ..none
        },
        FieldKind::Number { min, max } => Checks {
            min: *min,
            max: *max,
            ..none
        },
        _ => none,
    }
}

fn field_aspects(old: &Field, new: &Field, moved: bool) -> Vec<FieldAspect> {
    let mut aspects = Vec::new();
    if old.label != new.label {
        aspects.push(FieldAspect::Label);
    }
    if std::mem::discriminant(&old.kind) != std::mem::discriminant(&new.kind) {
        aspects.push(FieldAspect::Type);
    }
    if old.required != new.required {
        aspects.push(FieldAspect::Required);
    }
    if validation(&old.kind) != validation(&new.kind) {
        aspects.push(FieldAspect::Validation);
    }
    if options(&old.kind) != options(&new.kind) {
        aspects.push(FieldAspect::Options);
    }
    if old.show_if != new.show_if {
        aspects.push(FieldAspect::Condition);
    }
    if old.help != new.help {
        aspects.push(FieldAspect::Help);
    }
    if old.prefill != new.prefill {
        aspects.push(FieldAspect::Prefill);
    }
    if moved {
        aspects.push(FieldAspect::Page);
    }
    aspects
}

/// What `new` changes against `old`, in the order of the new form (removals in the order
/// of the old one).
pub fn diff(old: &FormDefinition, new: &FormDefinition) -> FormDiff {
    let matched = match_pages(old, new);
    let mut out = FormDiff::default();

    let old_page_of = |key: &str| {
        old.pages
            .iter()
            .position(|p| page_fields(p).any(|f| f.key == key))
    };
    let new_keys: HashSet<&str> = new.fields().map(|f| f.key.as_str()).collect();

    let kept: Vec<(usize, usize)> = matched
        .iter()
        .enumerate()
        .filter_map(|(n, o)| o.map(|o| (n, o)))
        .collect();
    let olds: Vec<usize> = kept.iter().map(|(_, o)| *o).collect();
    for (&(n, o), _) in kept.iter().zip(moved(&olds)).filter(|(_, m)| *m) {
        out.pages_moved.push(PageMove {
            title: new.pages[n].title.clone(),
            from: o + 1,
            to: n + 1,
        });
    }

    for (n, page) in new.pages.iter().enumerate() {
        match matched[n] {
            None => out.pages_added.push(page.title.clone()),
            Some(o) => {
                let before = &old.pages[o];
                let mut aspects = Vec::new();
                if before.title != page.title {
                    aspects.push(PageAspect::Title);
                }
                if before.show_if != page.show_if {
                    aspects.push(PageAspect::Condition);
                }
                if page_texts(before) != page_texts(page) {
                    aspects.push(PageAspect::Texts);
                }
                if reordered(before, page) {
                    aspects.push(PageAspect::Order);
                    out.blocks_moved.extend(block_moves(before, page));
                }
                if !aspects.is_empty() {
                    out.pages_changed.push(PageChange {
                        title: page.title.clone(),
                        old_title: before.title.clone(),
                        aspects,
                    });
                }
            }
        }
        for field in page_fields(page) {
            let earlier = old.fields().find(|f| f.key == field.key);
            match earlier {
                None => out.fields_added.push(FieldSummary {
                    key: field.key.clone(),
                    label: field.label.clone(),
                    page: page.title.clone(),
                }),
                Some(earlier) => {
                    let moved = old_page_of(&field.key) != matched[n];
                    let aspects = field_aspects(earlier, field, moved);
                    if !aspects.is_empty() {
                        out.fields_changed.push(FieldChange {
                            key: field.key.clone(),
                            label: field.label.clone(),
                            old_label: earlier.label.clone(),
                            aspects,
                        });
                    }
                }
            }
        }
    }
    for (o, page) in old.pages.iter().enumerate() {
        if !matched.contains(&Some(o)) {
            out.pages_removed.push(page.title.clone());
        }
        for field in page_fields(page) {
            if !new_keys.contains(field.key.as_str()) {
                out.fields_removed.push(FieldSummary {
                    key: field.key.clone(),
                    label: field.label.clone(),
                    page: page.title.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::{Condition, Pattern, Prefill};

    fn field(key: &str, label: &str, kind: FieldKind) -> Block {
        Block::Field(Field {
            key: key.into(),
            label: label.into(),
            kind,
            required: false,
            help: String::new(),
            show_if: None,
            prefill: None,
        })
    }

    fn text() -> FieldKind {
        FieldKind::ShortText {
            min_length: None,
            max_length: None,
            pattern: None,
        }
    }

    fn page(title: &str, blocks: Vec<Block>) -> FormPage {
        FormPage {
            title: title.into(),
            show_if: None,
            blocks,
        }
    }

    /// A hall booking form, as first published.
    fn published() -> FormDefinition {
        FormDefinition {
            pages: vec![
                page(
                    "La réservation",
                    vec![
                        Block::Explanation {
                            text: "Salles de la commune.".into(),
                        },
                        field(
                            "salle",
                            "Salle",
                            FieldKind::SingleChoice {
                                options: vec!["Salle des fêtes".into(), "Salle du Stade".into()],
                            },
                        ),
                        field("date", "Date", FieldKind::Date),
                        field(
                            "personnes",
                            "Nombre de personnes",
                            FieldKind::Number {
                                min: Some(1),
                                max: Some(200),
                            },
                        ),
                    ],
                ),
                page(
                    "Vos coordonnées",
                    vec![
                        field("telephone", "Téléphone", FieldKind::Phone),
                        field("fax", "Fax", FieldKind::Phone),
                    ],
                ),
            ],
        }
    }

    fn field_mut<'a>(form: &'a mut FormDefinition, key: &str) -> &'a mut Field {
        form.pages
            .iter_mut()
            .flat_map(|p| p.blocks.iter_mut())
            .find_map(|b| match b {
                Block::Field(f) if f.key == key => Some(f),
                _ => None,
            })
            .expect("field present")
    }

    #[test]
    fn the_same_form_has_no_difference() {
        assert!(diff(&published(), &published()).is_empty());
    }

    #[test]
    fn added_removed_and_changed_fields_are_named_with_what_changed() {
        let old = published();
        let mut new = published();
        // Removed: the fax. Added: an association's name.
        new.pages[1]
            .blocks
            .retain(|b| !matches!(b, Block::Field(f) if f.key == "fax"));
        new.pages[1]
            .blocks
            .push(field("association", "Association", text()));
        // Changed: the date becomes required with a help text; the number bounds move;
        // a hall is added; the phone is pre-filled, relabelled and shown on a condition.
        let date = field_mut(&mut new, "date");
        date.required = true;
        date.help = "Au moins 15 jours à l'avance.".into();
        field_mut(&mut new, "personnes").kind = FieldKind::Number {
            min: Some(1),
            max: Some(150),
        };
        field_mut(&mut new, "salle").kind = FieldKind::SingleChoice {
            options: vec![
                "Salle des fêtes".into(),
                "Salle du Stade".into(),
                "Salle des Coteaux".into(),
            ],
        };
        let phone = field_mut(&mut new, "telephone");
        phone.label = "Téléphone portable".into();
        phone.prefill = Some(Prefill::Phone);
        phone.show_if = Some(Condition {
            field: "salle".into(),
            equals: "Salle du Stade".into(),
        });

        let d = diff(&old, &new);
        assert!(d.pages_added.is_empty() && d.pages_removed.is_empty());
        assert!(d.pages_changed.is_empty(), "{:?}", d.pages_changed);
        assert_eq!(
            d.fields_added,
            vec![FieldSummary {
                key: "association".into(),
                label: "Association".into(),
                page: "Vos coordonnées".into()
            }]
        );
        assert_eq!(
            d.fields_removed,
            vec![FieldSummary {
                key: "fax".into(),
                label: "Fax".into(),
                page: "Vos coordonnées".into()
            }]
        );
        let aspects = |key: &str| {
            d.fields_changed
                .iter()
                .find(|c| c.key == key)
                .map(|c| c.aspects.clone())
                .unwrap_or_default()
        };
        assert_eq!(aspects("salle"), vec![FieldAspect::Options]);
        assert_eq!(
            aspects("date"),
            vec![FieldAspect::Required, FieldAspect::Help]
        );
        assert_eq!(aspects("personnes"), vec![FieldAspect::Validation]);
        assert_eq!(
            aspects("telephone"),
            vec![
                FieldAspect::Label,
                FieldAspect::Condition,
                FieldAspect::Prefill
            ]
        );
        let phone = d.fields_changed.iter().find(|c| c.key == "telephone");
        assert_eq!(phone.map(|c| c.old_label.as_str()), Some("Téléphone"));
        assert_eq!(d.fields_changed.len(), 4);
    }

    #[test]
    fn a_type_change_and_a_pattern_are_told_apart() {
        let old = published();
        let mut new = published();
        field_mut(&mut new, "salle").kind = FieldKind::MultipleChoice {
            options: vec!["Salle des fêtes".into(), "Salle du Stade".into()],
        };
        field_mut(&mut new, "fax").kind = FieldKind::ShortText {
            min_length: None,
            max_length: None,
            pattern: Some(Pattern {
                regex: "[0-9 ]+".into(),
                message: "Des chiffres seulement.".into(),
            }),
        };
        let d = diff(&old, &new);
        assert_eq!(d.fields_changed[0].key, "salle");
        assert_eq!(d.fields_changed[0].aspects, vec![FieldAspect::Type]);
        assert_eq!(d.fields_changed[1].key, "fax");
        assert_eq!(
            d.fields_changed[1].aspects,
            vec![FieldAspect::Type, FieldAspect::Validation]
        );
    }

    #[test]
    fn pages_added_removed_renamed_and_reordered() {
        let old = published();
        let mut new = published();
        // A new first page; the second page renamed, with its fields swapped and a
        // condition; the date moved to it.
        new.pages.insert(
            0,
            page(
                "Qui réserve",
                vec![field(
                    "qualite",
                    "Vous êtes",
                    FieldKind::SingleChoice {
                        options: vec!["Particulier".into(), "Association".into()],
                    },
                )],
            ),
        );
        new.pages[2].title = "Coordonnées".into();
        new.pages[2].blocks.reverse();
        new.pages[2].show_if = Some(Condition {
            field: "qualite".into(),
            equals: "Association".into(),
        });
        let date = new.pages[1].blocks.remove(2);
        new.pages[2].blocks.push(date);
        new.pages[1].blocks.remove(0);
        let d = diff(&old, &new);
        assert_eq!(d.pages_added, vec!["Qui réserve".to_string()]);
        assert!(d.pages_removed.is_empty());
        assert_eq!(
            d.pages_changed,
            vec![
                PageChange {
                    title: "La réservation".into(),
                    old_title: "La réservation".into(),
                    aspects: vec![PageAspect::Texts],
                },
                PageChange {
                    title: "Coordonnées".into(),
                    old_title: "Vos coordonnées".into(),
                    aspects: vec![PageAspect::Title, PageAspect::Condition, PageAspect::Order],
                }
            ]
        );
        assert_eq!(d.fields_added.len(), 1);
        assert_eq!(
            d.fields_changed,
            vec![FieldChange {
                key: "date".into(),
                label: "Date".into(),
                old_label: "Date".into(),
                aspects: vec![FieldAspect::Page],
            }]
        );

        // A page dropped with its fields.
        let mut shorter = published();
        shorter.pages.pop();
        let d = diff(&old, &shorter);
        assert_eq!(d.pages_removed, vec!["Vos coordonnées".to_string()]);
        assert_eq!(
            d.fields_removed
                .iter()
                .map(|f| f.key.as_str())
                .collect::<Vec<_>>(),
            vec!["telephone", "fax"]
        );
        assert!(d.fields_changed.is_empty());
    }

    #[test]
    fn an_explanation_moved_among_the_fields_is_a_new_order() {
        let old = published();
        let mut new = published();
        new.pages[0].blocks.swap(0, 1);
        let d = diff(&old, &new);
        assert_eq!(
            d.pages_changed,
            vec![PageChange {
                title: "La réservation".into(),
                old_title: "La réservation".into(),
                aspects: vec![PageAspect::Order],
            }]
        );
        assert!(d.fields_changed.is_empty());
        // A text changed is a change of texts, not of order.
        let mut reworded = published();
        reworded.pages[0].blocks[0] = Block::Explanation {
            text: "Les salles de la commune.".into(),
        };
        assert_eq!(
            diff(&old, &reworded).pages_changed[0].aspects,
            vec![PageAspect::Texts]
        );
    }

    #[test]
    fn pages_only_swapped_are_a_difference() {
        let old = published();
        let mut new = published();
        new.pages.swap(0, 1);
        let d = diff(&old, &new);
        assert!(!d.is_empty());
        assert_eq!(
            d.pages_moved,
            vec![PageMove {
                title: "Vos coordonnées".into(),
                from: 2,
                to: 1,
            }]
        );
        assert!(d.pages_changed.is_empty() && d.fields_changed.is_empty());
        assert!(d.pages_added.is_empty() && d.pages_removed.is_empty());
    }

    #[test]
    fn a_page_taken_elsewhere_is_the_one_moved_not_those_it_passed() {
        let pages = |titles: &[&str]| FormDefinition {
            pages: titles
                .iter()
                .map(|t| page(t, vec![field(&t.to_lowercase(), t, FieldKind::Date)]))
                .collect(),
        };
        let old = pages(&["A", "B", "C", "D"]);
        let d = diff(&old, &pages(&["B", "C", "D", "A"]));
        assert_eq!(
            d.pages_moved,
            vec![PageMove {
                title: "A".into(),
                from: 1,
                to: 4
            }]
        );
        let d = diff(&old, &pages(&["D", "A", "B", "C"]));
        assert_eq!(
            d.pages_moved,
            vec![PageMove {
                title: "D".into(),
                from: 4,
                to: 1
            }]
        );
        // A page added in front shifts the others without moving them.
        let d = diff(&old, &pages(&["Z", "A", "B", "C", "D"]));
        assert!(d.pages_moved.is_empty());
        assert_eq!(d.pages_added, vec!["Z".to_string()]);
        // Nothing moved, nothing reported.
        assert!(diff(&old, &old).pages_moved.is_empty());
    }

    #[test]
    fn fields_only_swapped_in_their_page_are_a_difference() {
        let old = published();
        let mut new = published();
        // « Date » goes up above « Salle ».
        new.pages[0].blocks.swap(1, 2);
        let d = diff(&old, &new);
        assert!(!d.is_empty());
        assert_eq!(
            d.blocks_moved,
            vec![BlockMove {
                page: "La réservation".into(),
                name: "Date".into(),
                key: Some("date".into()),
                from: 3,
                to: 2,
            }]
        );
        assert_eq!(d.pages_changed[0].aspects, vec![PageAspect::Order]);
        assert!(d.fields_changed.is_empty() && d.pages_moved.is_empty());
        // An explanation sent to the end of its page.
        let mut new = published();
        let text = new.pages[0].blocks.remove(0);
        new.pages[0].blocks.push(text);
        let d = diff(&old, &new);
        assert_eq!(
            d.blocks_moved,
            vec![BlockMove {
                page: "La réservation".into(),
                name: "Salles de la commune.".into(),
                key: None,
                from: 1,
                to: 4,
            }]
        );
    }

    #[test]
    fn a_renamed_key_is_a_field_removed_and_another_added() {
        let old = published();
        let mut new = published();
        field_mut(&mut new, "fax").key = "telecopie".into();
        let d = diff(&old, &new);
        assert_eq!(d.fields_removed[0].key, "fax");
        assert_eq!(d.fields_added[0].key, "telecopie");
        assert!(d.fields_changed.is_empty());
        assert!(d.pages_changed.is_empty());
    }

    #[test]
    fn a_first_version_adds_everything() {
        let d = diff(&FormDefinition { pages: vec![] }, &published());
        assert_eq!(d.pages_added.len(), 2);
        assert_eq!(d.fields_added.len(), 5);
        assert!(!d.is_empty());
    }
}
