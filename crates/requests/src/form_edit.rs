//! The changes an administrator makes to a draft form in the back office, as pure
//! functions from one definition to the next. Whether the result is acceptable is then
//! decided by `FormDefinition::problems`, on the whole form.

use serde::Serialize;

use crate::forms::{Block, Condition, Field, FormDefinition, FormPage};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "haut" => Some(Direction::Up),
            "bas" => Some(Direction::Down),
            _ => None,
        }
    }
}

/// One change. Pages and blocks are numbered from 0; fields are named by their key.
///
/// A position alone does not say what the administrator meant: a colleague may have
/// changed the draft since the page was shown, and block 3 is then another block. So
/// every change made at a position also carries `seen`, the identity of the page or the
/// block that was there (`page_identity`, `block_identity`); a change whose target no
/// longer matches is refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum Edit {
    AddPage {
        title: String,
    },
    EditPage {
        page: usize,
        seen: String,
        title: String,
        show_if: Option<Condition>,
    },
    MovePage {
        page: usize,
        seen: String,
        direction: Direction,
    },
    DeletePage {
        page: usize,
        seen: String,
    },
    /// Appends a block at the end of a page.
    AddBlock {
        page: usize,
        seen: String,
        block: Block,
    },
    /// Changes the text of a title or an explanation.
    EditText {
        page: usize,
        block: usize,
        seen: String,
        text: String,
    },
    /// Up from the top of a page goes to the end of the page before; down from the bottom,
    /// to the start of the page after.
    MoveBlock {
        page: usize,
        block: usize,
        seen: String,
        direction: Direction,
    },
    DeleteBlock {
        page: usize,
        block: usize,
        seen: String,
    },
    /// Replaces the field that has the key `key` by `field`. When the key changes, the
    /// conditions that referred to the old key follow it.
    SaveField {
        key: String,
        field: Field,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("cette page n'existe pas")]
    NoSuchPage,
    #[error("ce bloc n'existe pas")]
    NoSuchBlock,
    #[error("ce champ n'existe pas")]
    NoSuchField,
    #[error("ce bloc n'est ni un titre ni une explication")]
    NotText,
    #[error("ce déplacement n'est pas possible")]
    CannotMove,
    /// The page or block at this place is no longer the one the administrator saw.
    #[error("le formulaire a changé depuis l'affichage de la page")]
    Changed,
}

/// A short fingerprint of a text: the same for the same text, whatever the build (pages
/// stay valid across an upgrade of the server).
pub fn digest(text: &str) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(text.as_bytes())[..8])
}

/// What names a block in a form sent from the back office: a field by its key, a title
/// or an explanation by a fingerprint of its text.
pub fn block_identity(block: &Block) -> String {
    match block {
        Block::Field(f) => format!("field:{}", f.key),
        Block::Title { text } => format!("title:{}", digest(text)),
        Block::Explanation { text } => format!("explanation:{}", digest(text)),
    }
}

/// What names a page: a fingerprint of its title and of what its blocks are. Pages have
/// no key; two pages with the same title and the same blocks are the same to the eye.
pub fn page_identity(page: &FormPage) -> String {
    let blocks: Vec<String> = page.blocks.iter().map(block_identity).collect();
    digest(&serde_json::to_string(&(&page.title, blocks)).unwrap_or_default())
}

fn check_page(form: &FormDefinition, page: usize, seen: &str) -> Result<(), EditError> {
    match form.pages.get(page) {
        Some(p) if page_identity(p) == seen => Ok(()),
        _ => Err(EditError::Changed),
    }
}

fn check_block(
    form: &FormDefinition,
    page: usize,
    block: usize,
    seen: &str,
) -> Result<(), EditError> {
    match form.pages.get(page).and_then(|p| p.blocks.get(block)) {
        Some(b) if block_identity(b) == seen => Ok(()),
        _ => Err(EditError::Changed),
    }
}

/// Whether the page or the block the change acts on is still the one it names. A place
/// that no longer exists is a change too: it was there when the page was shown.
pub fn check(form: &FormDefinition, edit: &Edit) -> Result<(), EditError> {
    match edit {
        Edit::AddPage { .. } | Edit::SaveField { .. } => Ok(()),
        Edit::EditPage { page, seen, .. }
        | Edit::MovePage { page, seen, .. }
        | Edit::DeletePage { page, seen }
        | Edit::AddBlock { page, seen, .. } => check_page(form, *page, seen),
        Edit::EditText {
            page, block, seen, ..
        }
        | Edit::MoveBlock {
            page, block, seen, ..
        }
        | Edit::DeleteBlock { page, block, seen } => check_block(form, *page, *block, seen),
    }
}

fn page_mut(form: &mut FormDefinition, page: usize) -> Result<&mut FormPage, EditError> {
    form.pages.get_mut(page).ok_or(EditError::NoSuchPage)
}

fn rename_references(form: &mut FormDefinition, from: &str, to: &str) {
    let follow = |condition: &mut Option<Condition>| {
        if let Some(c) = condition
            && c.field == from
        {
            c.field = to.to_string();
        }
    };
    for page in &mut form.pages {
        follow(&mut page.show_if);
        for block in &mut page.blocks {
            if let Block::Field(f) = block {
                follow(&mut f.show_if);
            }
        }
    }
}

/// Where the field with this key is: (page, block).
pub fn locate(form: &FormDefinition, key: &str) -> Option<(usize, usize)> {
    form.pages.iter().enumerate().find_map(|(p, page)| {
        page.blocks
            .iter()
            .position(|b| matches!(b, Block::Field(f) if f.key == key))
            .map(|b| (p, b))
    })
}

/// The form after the change.
pub fn apply(form: &FormDefinition, edit: &Edit) -> Result<FormDefinition, EditError> {
    check(form, edit)?;
    let mut form = form.clone();
    match edit {
        Edit::AddPage { title } => form.pages.push(FormPage {
            title: title.clone(),
            show_if: None,
            blocks: vec![],
        }),
        Edit::EditPage {
            page,
            title,
            show_if,
            ..
        } => {
            let p = page_mut(&mut form, *page)?;
            p.title = title.clone();
            p.show_if = show_if.clone();
        }
        Edit::MovePage {
            page, direction, ..
        } => {
            let other = match direction {
                Direction::Up => page.checked_sub(1),
                Direction::Down => Some(page + 1),
            };
            if *page >= form.pages.len() {
                return Err(EditError::NoSuchPage);
            }
            match other.filter(|o| *o < form.pages.len()) {
                Some(o) => form.pages.swap(*page, o),
                None => return Err(EditError::CannotMove),
            }
        }
        Edit::DeletePage { page, .. } => {
            if *page >= form.pages.len() {
                return Err(EditError::NoSuchPage);
            }
            form.pages.remove(*page);
        }
        Edit::AddBlock { page, block, .. } => {
            page_mut(&mut form, *page)?.blocks.push(block.clone())
        }
        Edit::EditText {
            page, block, text, ..
        } => match page_mut(&mut form, *page)?.blocks.get_mut(*block) {
            Some(Block::Title { text: t } | Block::Explanation { text: t }) => *t = text.clone(),
            Some(Block::Field(_)) => return Err(EditError::NotText),
            None => return Err(EditError::NoSuchBlock),
        },
        Edit::MoveBlock {
            page,
            block,
            direction,
            ..
        } => {
            let count = page_mut(&mut form, *page)?.blocks.len();
            if *block >= count {
                return Err(EditError::NoSuchBlock);
            }
            match direction {
                Direction::Up if *block > 0 => form.pages[*page].blocks.swap(*block, block - 1),
                Direction::Down if block + 1 < count => {
                    form.pages[*page].blocks.swap(*block, block + 1)
                }
                Direction::Up if *page > 0 => {
                    let moved = form.pages[*page].blocks.remove(*block);
                    form.pages[page - 1].blocks.push(moved);
                }
                Direction::Down if page + 1 < form.pages.len() => {
                    let moved = form.pages[*page].blocks.remove(*block);
                    form.pages[page + 1].blocks.insert(0, moved);
                }
                _ => return Err(EditError::CannotMove),
            }
        }
        Edit::DeleteBlock { page, block, .. } => {
            let p = page_mut(&mut form, *page)?;
            if *block >= p.blocks.len() {
                return Err(EditError::NoSuchBlock);
            }
            p.blocks.remove(*block);
        }
        Edit::SaveField { key, field } => {
            let (p, b) = locate(&form, key).ok_or(EditError::NoSuchField)?;
            form.pages[p].blocks[b] = Block::Field(field.clone());
            if field.key != *key {
                rename_references(&mut form, key, &field.key);
            }
        }
    }
    Ok(form)
}

/// A key for a new field, from its label: « Date de l'événement » gives
/// `date_de_l_evenement`; a number is added when the key is taken.
pub fn suggest_key(label: &str, taken: impl Fn(&str) -> bool) -> String {
    let words = crate::routing::normalise_street(label);
    let mut base: String = words
        .chars()
        .map(|c| if c == ' ' { '_' } else { c })
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
        .collect();
    base = base.trim_matches('_').to_string();
    while base.contains("__") {
        base = base.replace("__", "_");
    }
    if base.is_empty() {
        base = "champ".into();
    } else if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base = format!("champ_{base}");
    }
    let mut base: String = base.chars().take(50).collect();
    while base.ends_with('_') {
        base.pop();
    }
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|k| !taken(k))
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::{DefinitionProblem, FieldKind};

    fn field(key: &str, kind: FieldKind, show_if: Option<Condition>) -> Block {
        Block::Field(Field {
            key: key.into(),
            label: key.to_uppercase(),
            kind,
            required: false,
            help: String::new(),
            show_if,
            prefill: None,
        })
    }

    fn when(field: &str, equals: &str) -> Option<Condition> {
        Some(Condition {
            field: field.into(),
            equals: equals.into(),
        })
    }

    fn form() -> FormDefinition {
        FormDefinition {
            pages: vec![
                FormPage {
                    title: "Un".into(),
                    show_if: None,
                    blocks: vec![
                        Block::Title {
                            text: "Début".into(),
                        },
                        field(
                            "choix",
                            FieldKind::SingleChoice {
                                options: vec!["a".into(), "b".into()],
                            },
                            None,
                        ),
                        field("detail", FieldKind::Date, when("choix", "b")),
                    ],
                },
                FormPage {
                    title: "Deux".into(),
                    show_if: when("choix", "a"),
                    blocks: vec![field("autre", FieldKind::Email, None)],
                },
            ],
        }
    }

    /// The identity of page `p` / block `b` of `f`, as the overview shows it.
    fn at_page(f: &FormDefinition, p: usize) -> String {
        f.pages.get(p).map(page_identity).unwrap_or_default()
    }

    fn at_block(f: &FormDefinition, p: usize, b: usize) -> String {
        f.pages
            .get(p)
            .and_then(|pg| pg.blocks.get(b))
            .map(block_identity)
            .unwrap_or_default()
    }

    fn keys(form: &FormDefinition) -> Vec<Vec<String>> {
        form.pages
            .iter()
            .map(|p| {
                p.blocks
                    .iter()
                    .map(|b| match b {
                        Block::Field(f) => f.key.clone(),
                        Block::Title { text } | Block::Explanation { text } => text.clone(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn pages_are_added_moved_and_deleted() {
        let f = apply(
            &form(),
            &Edit::AddPage {
                title: "Trois".into(),
            },
        )
        .unwrap();
        assert_eq!(f.pages.len(), 3);
        // An empty page is unfinished, not wrong.
        assert_eq!(f.problems(), vec![DefinitionProblem::EmptyPage { page: 3 }]);
        assert!(f.problems().iter().all(DefinitionProblem::is_incomplete));
        let f = apply(
            &f,
            &Edit::MovePage {
                page: 2,
                seen: at_page(&f, 2),
                direction: Direction::Up,
            },
        )
        .unwrap();
        assert_eq!(f.pages[1].title, "Trois");
        assert_eq!(
            apply(
                &f,
                &Edit::MovePage {
                    page: 0,
                    seen: at_page(&f, 0),
                    direction: Direction::Up
                }
            ),
            Err(EditError::CannotMove)
        );
        let f = apply(
            &f,
            &Edit::DeletePage {
                page: 1,
                seen: at_page(&f, 1),
            },
        )
        .unwrap();
        assert_eq!(f, form());
        assert_eq!(
            apply(
                &f,
                &Edit::DeletePage {
                    page: 5,
                    seen: at_page(&f, 0)
                }
            ),
            Err(EditError::Changed)
        );
    }

    #[test]
    fn blocks_move_within_and_across_pages() {
        let down = |f: &FormDefinition, page, block| {
            apply(
                f,
                &Edit::MoveBlock {
                    page,
                    block,
                    seen: at_block(f, page, block),
                    direction: Direction::Down,
                },
            )
        };
        let f = down(&form(), 0, 0).unwrap();
        assert_eq!(keys(&f)[0], vec!["choix", "Début", "detail"]);
        let f = down(&f, 0, 2).unwrap();
        assert_eq!(
            keys(&f),
            vec![vec!["choix", "Début"], vec!["detail", "autre"]]
        );
        let up = apply(
            &f,
            &Edit::MoveBlock {
                page: 1,
                block: 0,
                seen: at_block(&f, 1, 0),
                direction: Direction::Up,
            },
        )
        .unwrap();
        assert_eq!(keys(&up)[0], vec!["choix", "Début", "detail"]);
        assert_eq!(down(&f, 1, 1), Err(EditError::CannotMove));
        assert_eq!(down(&f, 1, 7), Err(EditError::Changed));
    }

    #[test]
    fn a_move_or_a_deletion_that_breaks_a_condition_is_caught_by_the_checks() {
        // The detail moved above the choice it depends on.
        let f = apply(
            &form(),
            &Edit::MoveBlock {
                page: 0,
                block: 2,
                seen: at_block(&form(), 0, 2),
                direction: Direction::Up,
            },
        )
        .unwrap();
        assert_eq!(
            f.problems(),
            vec![DefinitionProblem::UnknownConditionField {
                at: "detail".into(),
                field: "choix".into()
            }]
        );
        // The choice deleted: both the field and the page that depended on it break.
        let f = apply(
            &form(),
            &Edit::DeleteBlock {
                page: 0,
                block: 1,
                seen: at_block(&form(), 0, 1),
            },
        )
        .unwrap();
        assert_eq!(f.problems().len(), 2);
    }

    #[test]
    fn texts_are_edited_and_fields_replaced_with_their_references() {
        let f = apply(
            &form(),
            &Edit::EditText {
                page: 0,
                block: 0,
                seen: at_block(&form(), 0, 0),
                text: "Votre demande".into(),
            },
        )
        .unwrap();
        assert_eq!(keys(&f)[0][0], "Votre demande");
        assert_eq!(
            apply(
                &f,
                &Edit::EditText {
                    page: 0,
                    block: 1,
                    seen: at_block(&f, 0, 1),
                    text: "x".into()
                }
            ),
            Err(EditError::NotText)
        );
        let Block::Field(mut choice) = form().pages[0].blocks[1].clone() else {
            unreachable!()
        };
        choice.key = "type_demande".into();
        choice.required = true;
        let f = apply(
            &form(),
            &Edit::SaveField {
                key: "choix".into(),
                field: choice,
            },
        )
        .unwrap();
        assert!(f.problems().is_empty(), "{:?}", f.problems());
        assert_eq!(f.pages[1].show_if, when("type_demande", "a"));
        let Block::Field(detail) = &f.pages[0].blocks[2] else {
            unreachable!()
        };
        assert_eq!(detail.show_if, when("type_demande", "b"));
        let Block::Field(any) = form().pages[0].blocks[2].clone() else {
            unreachable!()
        };
        assert_eq!(
            apply(
                &f,
                &Edit::SaveField {
                    key: "absent".into(),
                    field: any
                }
            ),
            Err(EditError::NoSuchField)
        );
    }

    #[test]
    fn a_condition_on_an_option_that_is_gone_is_refused() {
        let Block::Field(mut choice) = form().pages[0].blocks[1].clone() else {
            unreachable!()
        };
        choice.kind = FieldKind::SingleChoice {
            options: vec!["a".into(), "c".into()],
        };
        let f = apply(
            &form(),
            &Edit::SaveField {
                key: "choix".into(),
                field: choice,
            },
        )
        .unwrap();
        assert_eq!(
            f.problems(),
            vec![DefinitionProblem::ConditionValueNotOffered {
                at: "detail".into(),
                field: "choix".into(),
                value: "b".into()
            }]
        );
    }

    #[test]
    fn a_change_aimed_at_what_is_no_longer_there_is_refused() {
        let shown = form();
        // What the administrator saw: the date field, third on page 1; page 2.
        let delete_detail = Edit::DeleteBlock {
            page: 0,
            block: 2,
            seen: at_block(&shown, 0, 2),
        };
        let move_second_page = Edit::MovePage {
            page: 1,
            seen: at_page(&shown, 1),
            direction: Direction::Up,
        };
        let reword_title = Edit::EditText {
            page: 0,
            block: 0,
            seen: at_block(&shown, 0, 0),
            text: "Nouveau".into(),
        };
        assert!(check(&shown, &delete_detail).is_ok());
        assert!(check(&shown, &move_second_page).is_ok());
        // Meanwhile a colleague deleted the title: the detail is now second, and third
        // is nothing; the page no longer holds what it held.
        let changed = apply(
            &shown,
            &Edit::DeleteBlock {
                page: 0,
                block: 0,
                seen: at_block(&shown, 0, 0),
            },
        )
        .unwrap();
        assert_eq!(apply(&changed, &delete_detail), Err(EditError::Changed));
        assert_eq!(apply(&changed, &reword_title), Err(EditError::Changed));
        // Page 2 itself did not change: moving it is still what was meant.
        assert!(apply(&changed, &move_second_page).is_ok());
        // Another block deleted at the place the administrator aimed at is refused too:
        // the choice now stands where the title was.
        let stale_title_delete = Edit::DeleteBlock {
            page: 0,
            block: 0,
            seen: at_block(&shown, 0, 0),
        };
        assert_eq!(
            apply(&changed, &stale_title_delete),
            Err(EditError::Changed)
        );
        // Pages swapped: page 1 is now « Deux », and page 1's identity no longer fits.
        let swapped = apply(&shown, &move_second_page).unwrap();
        let add_to_first = Edit::AddBlock {
            page: 0,
            seen: at_page(&shown, 0),
            block: Block::Title { text: "x".into() },
        };
        assert_eq!(apply(&swapped, &add_to_first), Err(EditError::Changed));
        assert!(apply(&shown, &add_to_first).is_ok());
        // A page renamed is another page to a stale form; nothing sent, nothing matched.
        let mut renamed = shown.clone();
        renamed.pages[1].title = "Autre".into();
        assert_eq!(check(&renamed, &move_second_page), Err(EditError::Changed));
        let blank = Edit::DeletePage {
            page: 1,
            seen: String::new(),
        };
        assert_eq!(check(&shown, &blank), Err(EditError::Changed));
    }

    #[test]
    fn identities_name_blocks_by_key_or_text() {
        let f = form();
        assert_eq!(at_block(&f, 0, 1), "field:choix");
        let title = block_identity(&Block::Title {
            text: "Début".into(),
        });
        assert_eq!(at_block(&f, 0, 0), title);
        assert_ne!(
            title,
            block_identity(&Block::Explanation {
                text: "Début".into()
            })
        );
        assert_ne!(
            title,
            block_identity(&Block::Title {
                text: "Début.".into()
            })
        );
        assert_ne!(at_page(&f, 0), at_page(&f, 1));
        let mut reordered = f.clone();
        reordered.pages[0].blocks.swap(1, 2);
        assert_ne!(at_page(&f, 0), at_page(&reordered, 0));
    }

    #[test]
    fn keys_are_suggested_from_labels() {
        let none = |_: &str| false;
        assert_eq!(
            suggest_key("Date de l'événement", none),
            "date_de_l_evenement"
        );
        assert_eq!(suggest_key("  Œuvre  n° 2 ", none), "oeuvre_n_2");
        assert_eq!(suggest_key("2e adresse", none), "champ_2e_adresse");
        assert_eq!(suggest_key("???", none), "champ");
        assert_eq!(suggest_key("Nom", |k| k == "nom" || k == "nom_2"), "nom_3");
        let long = suggest_key(&"mot ".repeat(40), none);
        assert!(
            long.len() <= 50 && crate::forms::is_valid_key(&long),
            "{long}"
        );
    }
}
