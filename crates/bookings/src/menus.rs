//! A canteen's menus: what is served each day, the dish that replaces the main one for
//! children whose diet has no meat, the weekly vegetarian menu, and the regulated
//! allergens of the day (families must be told them). Kitchens keep their menus in a
//! spreadsheet: a month is imported by pasting its table, one line per day.

use family::model::Allergen;
use jiff::civil::Date;

/// The menu of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub day: Date,
    pub starter: String,
    pub main: String,
    /// Served instead of `main` to children without meat (or pork) when `main` has some.
    pub alternative: String,
    pub side: String,
    pub dairy: String,
    pub dessert: String,
    /// The week's vegetarian menu (no meat, no fish).
    pub vegetarian: bool,
    /// The regulated allergens in the day's dishes, in the regulation's order.
    pub allergens: Vec<Allergen>,
}

impl Menu {
    /// « Carottes râpées · Poulet basquaise (sans viande : omelette) · Riz · Yaourt · Pomme ».
    pub fn dishes_fr(&self) -> String {
        let main = if self.alternative.is_empty() {
            self.main.clone()
        } else {
            format!("{} (sans viande : {})", self.main, self.alternative)
        };
        [
            self.starter.as_str(),
            main.as_str(),
            self.side.as_str(),
            self.dairy.as_str(),
            self.dessert.as_str(),
        ]
        .iter()
        .filter(|d| !d.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
    }

    /// « Lait, Œufs », or « aucun des 14 allergènes réglementaires ».
    pub fn allergens_fr(&self) -> String {
        if self.allergens.is_empty() {
            return "aucun des 14 allergènes réglementaires".into();
        }
        self.allergens
            .iter()
            .map(|a| a.label_fr())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The allergens of the menu that some of these children avoid, with how many.
    pub fn watch_for(&self, avoided: &[(Allergen, usize)]) -> Vec<(Allergen, usize)> {
        avoided
            .iter()
            .filter(|(a, n)| *n > 0 && self.allergens.contains(a))
            .copied()
            .collect()
    }
}

/// The most lines one import takes: a school year's days, with room to spare.
pub const MAX_LINES: usize = 400;

/// A problem of an imported table, with its line (from 1) when it is one line's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableProblem {
    pub line: Option<usize>,
    pub message: String,
}

impl TableProblem {
    pub fn sentence(&self) -> String {
        match self.line {
            Some(line) => format!("Ligne {line} : {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// The columns, in order, as the import form shows them.
pub const COLUMNS: [&str; 9] = [
    "jour",
    "entrée",
    "plat",
    "plat sans viande",
    "accompagnement",
    "laitage",
    "dessert",
    "végétarien (oui/non)",
    "allergènes",
];

/// Reads a pasted table: cells separated by semicolons or tabs (a spreadsheet's copy),
/// one day per line, the header line optional. Every problem is reported, each with its
/// line; nothing is kept unless the whole table is right.
pub fn parse_table(text: &str) -> Result<Vec<Menu>, Vec<TableProblem>> {
    let mut menus: Vec<Menu> = Vec::new();
    let mut problems = Vec::new();
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    if lines.is_empty() {
        return Err(vec![TableProblem {
            line: None,
            message: "Collez le tableau des menus : une ligne par jour.".into(),
        }]);
    }
    if lines.len() > MAX_LINES {
        return Err(vec![TableProblem {
            line: None,
            message: format!("{MAX_LINES} lignes au plus par import."),
        }]);
    }
    for (number, line) in lines {
        let separator = if line.contains('\t') { '\t' } else { ';' };
        let cells: Vec<String> = line
            .split(separator)
            .map(|c| c.trim().trim_matches('"').trim().to_string())
            .collect();
        let first = normalise(&cells[0]);
        if first == "jour" || first == "date" {
            continue;
        }
        match parse_line(&cells) {
            Ok(menu) => {
                if menus.iter().any(|m| m.day == menu.day) {
                    problems.push(TableProblem {
                        line: Some(number),
                        message: format!("le {} figure déjà plus haut.", cells[0]),
                    });
                } else {
                    menus.push(menu);
                }
            }
            Err(message) => problems.push(TableProblem {
                line: Some(number),
                message,
            }),
        }
    }
    if problems.is_empty() {
        menus.sort_by_key(|m| m.day);
        Ok(menus)
    } else {
        Err(problems)
    }
}

fn parse_line(cells: &[String]) -> Result<Menu, String> {
    if cells.len() != COLUMNS.len() {
        return Err(format!(
            "{} colonnes attendues ({}), {} trouvées.",
            COLUMNS.len(),
            COLUMNS.join(", "),
            cells.len()
        ));
    }
    let day = family::rules::parse_date(&cells[0])
        .ok_or_else(|| format!("« {} » n'est pas une date (jj/mm/aaaa).", cells[0]))?;
    let cell = |i: usize| -> Result<String, String> {
        let text = cells[i].clone();
        if text.chars().count() > 120 {
            Err(format!("« {} » : 120 caractères au plus.", COLUMNS[i]))
        } else {
            Ok(text)
        }
    };
    let main = cell(2)?;
    if main.is_empty() {
        return Err("le plat est obligatoire.".into());
    }
    let vegetarian = match normalise(&cells[7]).as_str() {
        "oui" | "o" | "x" => true,
        "non" | "n" | "" => false,
        other => return Err(format!("végétarien : « oui » ou « non », pas « {other} ».")),
    };
    let mut allergens = Vec::new();
    for word in cells[8].split([',', '/', '+']) {
        if word.trim().is_empty() {
            continue;
        }
        let allergen = allergen_named(word)
            .ok_or_else(|| format!("allergène inconnu : « {} ».", word.trim()))?;
        if !allergens.contains(&allergen) {
            allergens.push(allergen);
        }
    }
    allergens.sort_by_key(|a| Allergen::ALL.iter().position(|x| x == a));
    Ok(Menu {
        day,
        starter: cell(1)?,
        main,
        alternative: cell(3)?,
        side: cell(4)?,
        dairy: cell(5)?,
        dessert: cell(6)?,
        vegetarian,
        allergens,
    })
}

/// Lower case, without accents, punctuation or a final plural: « Œufs » and « oeuf » are
/// one word.
fn normalise(text: &str) -> String {
    kernel::text::normalise(text)
        .trim_end_matches('s')
        .to_string()
}

/// An allergen by its code, its regulation name, or the first words of it (« céréales »,
/// « sésame », « poisson »).
pub fn allergen_named(word: &str) -> Option<Allergen> {
    let wanted = normalise(word);
    if wanted.is_empty() {
        return None;
    }
    Allergen::ALL.into_iter().find(|a| {
        let code = normalise(a.code());
        let label = normalise(a.label_fr());
        code == wanted
            || label == wanted
            || (wanted.chars().count() >= 4 && label.starts_with(&wanted))
            || (wanted.chars().count() >= 4 && code.starts_with(&wanted))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "jour;entrée;plat;plat sans viande;accompagnement;laitage;dessert;végétarien;allergènes\n\
        23/11/2026;Carottes râpées;Poulet basquaise;Omelette;Riz;Yaourt nature;Pomme;non;Lait, Œufs\n\
        2026-11-24;Potage de légumes;Lasagnes aux légumes;;Salade verte;Emmental;Compote;oui;gluten,lait,céleri\n";

    #[test]
    fn a_pasted_table_gives_one_menu_per_day_with_its_allergens() {
        let menus = parse_table(TABLE).unwrap();
        assert_eq!(menus.len(), 2);
        let monday = &menus[0];
        assert_eq!(monday.day, jiff::civil::date(2026, 11, 23));
        assert_eq!(
            monday.dishes_fr(),
            "Carottes râpées · Poulet basquaise (sans viande : Omelette) · Riz · Yaourt nature · Pomme"
        );
        assert_eq!(monday.allergens, [Allergen::Eggs, Allergen::Milk]);
        assert_eq!(monday.allergens_fr(), "Œufs, Lait");
        assert!(!monday.vegetarian);
        let tuesday = &menus[1];
        assert!(tuesday.vegetarian);
        assert_eq!(
            tuesday.allergens,
            [Allergen::Gluten, Allergen::Milk, Allergen::Celery]
        );
    }

    #[test]
    fn a_spreadsheet_copy_separated_by_tabs_is_read_too() {
        let copied = TABLE.replace(';', "\t");
        assert_eq!(parse_table(&copied).unwrap(), parse_table(TABLE).unwrap());
    }

    #[test]
    fn every_wrong_line_is_reported_and_nothing_is_kept() {
        let table = "31/02/2026;Carottes;Poulet;;Riz;Yaourt;Pomme;non;\n\
            01/12/2026;Carottes;;;Riz;Yaourt;Pomme;non;\n\
            02/12/2026;Carottes;Poulet;;Riz;Yaourt;Pomme;peut-être;\n\
            03/12/2026;Carottes;Poulet;;Riz;Yaourt;Pomme;non;noisettes\n\
            04/12/2026;Carottes;Poulet\n\
            07/12/2026;Carottes;Poulet;;Riz;Yaourt;Pomme;non;\n\
            07/12/2026;Carottes;Poulet;;Riz;Yaourt;Pomme;non;\n";
        let problems = parse_table(table).unwrap_err();
        let lines: Vec<_> = problems.iter().map(|p| p.line.unwrap()).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5, 7]);
        assert!(
            problems[3]
                .sentence()
                .starts_with("Ligne 4 : allergène inconnu : « noisettes »")
        );
        assert!(parse_table("  \n").is_err());
    }

    #[test]
    fn allergens_are_found_by_code_name_or_first_words() {
        for (word, allergen) in [
            ("oeufs", Allergen::Eggs),
            ("Œuf", Allergen::Eggs),
            ("céréales", Allergen::Gluten),
            ("Poisson", Allergen::Fish),
            ("fruits à coque", Allergen::Nuts),
            ("sésame", Allergen::Sesame),
            ("SULFITES", Allergen::Sulphites),
            ("arachides", Allergen::Peanuts),
        ] {
            assert_eq!(allergen_named(word), Some(allergen), "{word}");
        }
        assert_eq!(allergen_named("noisettes"), None);
        assert_eq!(allergen_named(""), None);
    }

    #[test]
    fn the_kitchen_is_warned_of_the_menu_allergens_children_avoid() {
        let menu = &parse_table(TABLE).unwrap()[0];
        let avoided = [
            (Allergen::Peanuts, 2),
            (Allergen::Milk, 3),
            (Allergen::Eggs, 0),
        ];
        assert_eq!(menu.watch_for(&avoided), [(Allergen::Milk, 3)]);
    }
}
