//! The administrator's settings of reports, checked before anything is stored: a
//! category and its extra questions, a routing rule and the order of the rules, a point to
//! place in a district. Pure: the web reads the forms, the store writes what passes.

use crate::model::{
    Attribute, AttributeType, AttributeValue, Category, District, Point, RoutingRule,
};

/// The built-in icons a category can show (the names the demo commune uses).
pub const ICONS: [&str; 11] = [
    "voirie",
    "eclairage",
    "proprete",
    "espaces-verts",
    "mobilier",
    "tags",
    "stationnement",
    "eau",
    "animaux",
    "bruit",
    "autre",
];

/// Every datatype of an extra question, in the order the form offers them.
pub const DATATYPES: [AttributeType; 6] = [
    AttributeType::String,
    AttributeType::Text,
    AttributeType::Number,
    AttributeType::Datetime,
    AttributeType::Singlevaluelist,
    AttributeType::Multivaluelist,
];

/// Duplicates are looked for within this many metres, at least and at most.
pub const RADIUS_RANGE: std::ops::RangeInclusive<i64> = 10..=1000;

const MAX_CODE: usize = 50;
const MAX_NAME: usize = 100;
const MAX_LONG_TEXT: usize = 500;
const MAX_KEYWORDS: usize = 300;
const MAX_QUESTION: usize = 300;
const MAX_VALUES: usize = 100;
const MAX_AGENCY: usize = 200;

fn chars(text: &str) -> usize {
    text.chars().count()
}

/// Lower-case ASCII letters and digits in words joined by single hyphens (`nid-de-poule`):
/// the Open311 `service_code` of a category, stable once reports use it.
pub fn is_code(code: &str) -> bool {
    (1..=MAX_CODE).contains(&code.len())
        && code.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// The code of a question or of a list value: as a category's code, underscores allowed
/// too (`attribute[numero_lampadaire]`).
pub fn is_answer_code(code: &str) -> bool {
    (1..=MAX_CODE).contains(&code.len())
        && code.split(['-', '_']).all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// « Les Coteaux » → `les-coteaux`: lower case, no accents, words joined by hyphens.
pub fn slugify(name: &str) -> String {
    let words: Vec<String> = kernel::text::normalise(name)
        .split(' ')
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let mut slug = words.join("-");
    if slug.len() > 60 {
        slug.truncate(60);
        slug = slug.trim_end_matches('-').to_string();
    }
    slug
}

/// A whole or decimal number typed in French (`45,7641`) or English (`45.7641`).
pub fn parse_decimal(raw: &str) -> Option<f64> {
    let value: f64 = raw.trim().replace(',', ".").parse().ok()?;
    value.is_finite().then_some(value)
}

// ---------------------------------------------------------------- categories

/// A category's form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CategoryInput {
    pub code: String,
    pub name: String,
    pub description: String,
    pub icon: String,
    /// Empty for a top-level category.
    pub parent_id: String,
    pub keywords: String,
    pub notice: String,
    pub private: bool,
    pub duplicate_radius_m: String,
    /// Empty: after the other categories of the same level.
    pub position: String,
    pub active: bool,
}

impl CategoryInput {
    pub fn from_category(c: &Category) -> CategoryInput {
        CategoryInput {
            code: c.code.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            icon: c.icon.clone(),
            parent_id: c.parent_id.clone().unwrap_or_default(),
            keywords: c.keywords.clone(),
            notice: c.notice.clone(),
            private: c.private,
            duplicate_radius_m: c.duplicate_radius_m.to_string(),
            position: c.position.to_string(),
            active: c.active,
        }
    }
}

/// What a category is checked against.
pub struct CategoryContext<'a> {
    /// Every stored category, the edited one included.
    pub categories: &'a [Category],
    /// The category edited; `None` for a new one.
    pub editing: Option<&'a Category>,
    /// Reports filed in the edited category: once there are any, its code is theirs.
    pub reports: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryProblem {
    CodeMissing,
    CodeFormat,
    CodeTaken,
    CodeLocked,
    NameMissing,
    NameTooLong,
    DescriptionTooLong,
    Icon,
    ParentUnknown,
    ParentItself,
    ParentNotTopLevel,
    /// A category with sub-categories stays at the top level.
    HasSubcategories,
    KeywordsTooLong,
    NoticeTooLong,
    Radius,
    Position,
}

impl CategoryProblem {
    /// The form field the problem is shown next to.
    pub fn field(self) -> &'static str {
        use CategoryProblem::*;
        match self {
            CodeMissing | CodeFormat | CodeTaken | CodeLocked => "code",
            NameMissing | NameTooLong => "name",
            DescriptionTooLong => "description",
            Icon => "icon",
            ParentUnknown | ParentItself | ParentNotTopLevel | HasSubcategories => "parent_id",
            KeywordsTooLong => "keywords",
            NoticeTooLong => "notice",
            Radius => "duplicate_radius_m",
            Position => "position",
        }
    }
}

/// Keywords as Open311 lists them: trimmed, comma-separated, no empty ones.
pub fn clean_keywords(raw: &str) -> String {
    raw.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks a category's form. The result keeps the edited category's id and questions;
/// a new one takes `new_id` and no questions.
pub fn check_category(
    input: &CategoryInput,
    ctx: &CategoryContext,
    new_id: &str,
) -> Result<Category, Vec<CategoryProblem>> {
    use CategoryProblem::*;
    let mut problems = Vec::new();
    let id = ctx.editing.map_or(new_id, |c| c.id.as_str());
    let others = || ctx.categories.iter().filter(|c| c.id != id);

    let code = input.code.trim().to_string();
    match ctx.editing {
        Some(current) if ctx.reports > 0 && code != current.code => problems.push(CodeLocked),
        _ if code.is_empty() => problems.push(CodeMissing),
        _ if !is_code(&code) => problems.push(CodeFormat),
        _ if others().any(|c| c.code == code) => problems.push(CodeTaken),
        _ => {}
    }
    let name = input.name.trim().to_string();
    if name.is_empty() {
        problems.push(NameMissing);
    } else if chars(&name) > MAX_NAME {
        problems.push(NameTooLong);
    }
    let description = input.description.trim().to_string();
    if chars(&description) > MAX_LONG_TEXT {
        problems.push(DescriptionTooLong);
    }
    if !ICONS.contains(&input.icon.as_str()) {
        problems.push(Icon);
    }
    let parent_id = input.parent_id.trim();
    let parent_id = if parent_id.is_empty() {
        None
    } else if parent_id == id {
        problems.push(ParentItself);
        None
    } else {
        match others().find(|c| c.id == parent_id) {
            None => {
                problems.push(ParentUnknown);
                None
            }
            Some(parent) if parent.parent_id.is_some() => {
                problems.push(ParentNotTopLevel);
                None
            }
            Some(parent) => {
                if others().any(|c| c.parent_id.as_deref() == Some(id)) {
                    problems.push(HasSubcategories);
                }
                Some(parent.id.clone())
            }
        }
    };
    let keywords = clean_keywords(&input.keywords);
    if chars(&keywords) > MAX_KEYWORDS {
        problems.push(KeywordsTooLong);
    }
    let notice = input.notice.trim().replace("\r\n", "\n");
    if chars(&notice) > MAX_LONG_TEXT {
        problems.push(NoticeTooLong);
    }
    let radius = input
        .duplicate_radius_m
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|r| RADIUS_RANGE.contains(r));
    if radius.is_none() {
        problems.push(Radius);
    }
    let position = match input.position.trim() {
        "" => Some(
            others()
                .filter(|c| c.parent_id == parent_id)
                .map(|c| c.position)
                .max()
                .map_or(0, |p| p + 10),
        ),
        raw => raw
            .parse::<i64>()
            .ok()
            .filter(|p| (0..=1_000_000).contains(p)),
    };
    if position.is_none() {
        problems.push(Position);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Category {
        id: id.to_string(),
        code,
        name,
        description,
        icon: input.icon.clone(),
        parent_id,
        keywords,
        notice,
        private: input.private,
        duplicate_radius_m: radius.unwrap_or(50),
        attributes: ctx
            .editing
            .map(|c| c.attributes.clone())
            .unwrap_or_default(),
        position: position.unwrap_or(0),
        active: input.active,
    })
}

/// Categories in the order of the back office's list: each top-level category followed by
/// its sub-categories (flagged `true`).
pub fn tree(categories: &[Category]) -> Vec<(&Category, bool)> {
    let mut out = Vec::with_capacity(categories.len());
    let top: Vec<&Category> = categories
        .iter()
        .filter(|c| c.parent_id.is_none())
        .collect();
    for parent in &top {
        out.push((*parent, false));
        for child in categories
            .iter()
            .filter(|c| c.parent_id.as_deref() == Some(parent.id.as_str()))
        {
            out.push((child, true));
        }
    }
    // A sub-category whose parent is gone still shows, at the end.
    for orphan in categories.iter().filter(|c| {
        c.parent_id
            .as_deref()
            .is_some_and(|p| !top.iter().any(|t| t.id == p))
    }) {
        out.push((orphan, true));
    }
    out
}

/// « Voirie › Nid-de-poule » for a sub-category, the name alone for a top-level one.
pub fn full_name(categories: &[Category], category: &Category) -> String {
    match category
        .parent_id
        .as_deref()
        .and_then(|p| categories.iter().find(|c| c.id == p))
    {
        Some(parent) => format!("{} › {}", parent.name, category.name),
        None => category.name.clone(),
    }
}

// ---------------------------------------------------------------- questions

/// A question's form as typed; list values one per line, `clé | Libellé`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionInput {
    pub code: String,
    pub description: String,
    pub datatype: String,
    pub required: bool,
    /// Information shown with the questions, not a question (Open311 `variable` false).
    pub information: bool,
    pub hint: String,
    pub values: String,
}

impl QuestionInput {
    pub fn from_attribute(a: &Attribute) -> QuestionInput {
        QuestionInput {
            code: a.code.clone(),
            description: a.description.clone(),
            datatype: a.datatype.as_str().into(),
            required: a.required,
            information: !a.variable,
            hint: a.datatype_description.clone(),
            values: values_text(&a.values),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueProblem {
    KeyFormat(String),
    NameMissing,
    NameTooLong,
    DuplicateKey(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionProblem {
    CodeMissing,
    CodeFormat,
    CodeTaken,
    CodeLocked,
    TextMissing,
    TextTooLong,
    Datatype,
    HintTooLong,
    InformationRequired,
    ListWithoutValues,
    ValuesWithoutList,
    TooManyValues,
    /// A line of the values box (1 for the first).
    Value {
        line: usize,
        problem: ValueProblem,
    },
}

impl QuestionProblem {
    pub fn field(&self) -> &'static str {
        use QuestionProblem::*;
        match self {
            CodeMissing | CodeFormat | CodeTaken | CodeLocked => "code",
            TextMissing | TextTooLong => "description",
            Datatype => "datatype",
            HintTooLong => "hint",
            InformationRequired => "required",
            ListWithoutValues | ValuesWithoutList | TooManyValues | Value { .. } => "values",
        }
    }
}

pub fn parse_datatype(raw: &str) -> Option<AttributeType> {
    DATATYPES.into_iter().find(|t| t.as_str() == raw)
}

/// The list values as the form shows them: one per line, `clé | Libellé`.
pub fn values_text(values: &[AttributeValue]) -> String {
    values
        .iter()
        .map(|v| format!("{} | {}", v.key, v.name))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads the values box: one value per line, `clé | Libellé`, or the label alone (its key
/// is derived from it). Blank lines are skipped.
pub fn parse_values(text: &str) -> Result<Vec<AttributeValue>, Vec<(usize, ValueProblem)>> {
    let mut values: Vec<AttributeValue> = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let number = index + 1;
        let (key, name) = match line.split_once('|') {
            Some((key, name)) => (key.trim().to_string(), name.trim().to_string()),
            None => (slugify(line).replace('-', "_"), line.to_string()),
        };
        if name.is_empty() {
            problems.push((number, ValueProblem::NameMissing));
        } else if chars(&name) > MAX_NAME * 2 {
            problems.push((number, ValueProblem::NameTooLong));
        }
        if !is_answer_code(&key) {
            problems.push((number, ValueProblem::KeyFormat(key)));
        } else if values.iter().any(|v| v.key == key) {
            problems.push((number, ValueProblem::DuplicateKey(key)));
        } else {
            values.push(AttributeValue { key, name });
        }
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems)
    }
}

/// Checks a question's form against the category's other questions. `locked_code` is the
/// question's code when reports already answered it: answers are stored by code.
pub fn check_question(
    input: &QuestionInput,
    others: &[Attribute],
    locked_code: Option<&str>,
) -> Result<Attribute, Vec<QuestionProblem>> {
    use QuestionProblem::*;
    let mut problems = Vec::new();
    let code = input.code.trim().to_string();
    match locked_code {
        Some(locked) if locked != code => problems.push(CodeLocked),
        _ if code.is_empty() => problems.push(CodeMissing),
        _ if !is_answer_code(&code) => problems.push(CodeFormat),
        _ if others.iter().any(|a| a.code == code) => problems.push(CodeTaken),
        _ => {}
    }
    let description = input.description.trim().to_string();
    if description.is_empty() {
        problems.push(TextMissing);
    } else if chars(&description) > MAX_QUESTION {
        problems.push(TextTooLong);
    }
    let datatype = parse_datatype(&input.datatype);
    if datatype.is_none() {
        problems.push(Datatype);
    }
    let hint = input.hint.trim().to_string();
    if chars(&hint) > MAX_LONG_TEXT {
        problems.push(HintTooLong);
    }
    if input.information && input.required {
        problems.push(InformationRequired);
    }
    let values = match parse_values(&input.values) {
        Ok(values) => values,
        Err(lines) => {
            problems.extend(
                lines
                    .into_iter()
                    .map(|(line, problem)| Value { line, problem }),
            );
            vec![]
        }
    };
    let invalid_values = problems.iter().any(|p| matches!(p, Value { .. }));
    match datatype {
        Some(t) if t.is_list() && values.is_empty() && !invalid_values => {
            problems.push(ListWithoutValues)
        }
        Some(t) if !t.is_list() && (!values.is_empty() || invalid_values) => {
            problems.push(ValuesWithoutList)
        }
        _ if values.len() > MAX_VALUES => problems.push(TooManyValues),
        _ => {}
    }
    match datatype {
        Some(datatype) if problems.is_empty() => Ok(Attribute {
            code,
            description,
            datatype,
            required: input.required,
            variable: !input.information,
            datatype_description: hint,
            values,
        }),
        _ => Err(problems),
    }
}

/// Moves the item at `index` one place up or down; false when it cannot move.
pub fn move_one<T>(items: &mut [T], index: usize, up: bool) -> bool {
    let other = if up {
        index.checked_sub(1)
    } else {
        Some(index + 1)
    };
    match other {
        Some(other) if index < items.len() && other < items.len() => {
            items.swap(index, other);
            true
        }
        _ => false,
    }
}

// ---------------------------------------------------------------- routing

/// A new routing rule as typed (empty category or district: any).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleInput {
    pub category_id: String,
    pub district_id: String,
    pub service_id: String,
    pub team_id: String,
    pub agency: String,
    /// Put first in the list (otherwise last).
    pub first: bool,
}

/// What a rule is checked against.
pub struct RuleContext<'a> {
    pub categories: &'a [Category],
    pub districts: &'a [District],
    pub service_ids: &'a [String],
    /// (team id, its service id)
    pub teams: &'a [(String, String)],
    /// The rules as they are.
    pub rules: &'a [RoutingRule],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleProblem {
    CategoryUnknown,
    DistrictUnknown,
    ServiceMissing,
    ServiceUnknown,
    TeamNotOfService,
    AgencyTooLong,
    /// A rule on the same category and district exists: one of them would never apply.
    Duplicate,
}

impl RuleProblem {
    pub fn field(self) -> &'static str {
        use RuleProblem::*;
        match self {
            CategoryUnknown | Duplicate => "rule_category",
            DistrictUnknown => "rule_district",
            ServiceMissing | ServiceUnknown => "rule_service",
            TeamNotOfService => "rule_team",
            AgencyTooLong => "rule_agency",
        }
    }
}

/// Positions 10, 20, 30… in the order given.
pub fn renumber(rules: Vec<RoutingRule>) -> Vec<RoutingRule> {
    rules
        .into_iter()
        .zip(1..)
        .map(|(rule, n)| RoutingRule {
            position: n * 10,
            ..rule
        })
        .collect()
}

fn optional(raw: &str) -> Option<String> {
    let raw = raw.trim();
    (!raw.is_empty()).then(|| raw.to_string())
}

/// Checks a new rule; the result is the whole ordered list with it, renumbered.
pub fn add_rule(
    input: &RuleInput,
    ctx: &RuleContext,
    new_id: &str,
) -> Result<Vec<RoutingRule>, Vec<RuleProblem>> {
    use RuleProblem::*;
    let mut problems = Vec::new();
    let category_id = optional(&input.category_id);
    if let Some(c) = &category_id
        && !ctx.categories.iter().any(|k| &k.id == c)
    {
        problems.push(CategoryUnknown);
    }
    let district_id = optional(&input.district_id);
    if let Some(d) = &district_id
        && !ctx.districts.iter().any(|k| &k.id == d)
    {
        problems.push(DistrictUnknown);
    }
    let service_id = input.service_id.trim().to_string();
    if service_id.is_empty() {
        problems.push(ServiceMissing);
    } else if !ctx.service_ids.contains(&service_id) {
        problems.push(ServiceUnknown);
    }
    let team_id = optional(&input.team_id);
    if let Some(team) = &team_id
        && !ctx
            .teams
            .iter()
            .any(|(id, service)| id == team && *service == service_id)
    {
        problems.push(TeamNotOfService);
    }
    let agency = input.agency.trim().to_string();
    if chars(&agency) > MAX_AGENCY {
        problems.push(AgencyTooLong);
    }
    if ctx
        .rules
        .iter()
        .any(|r| r.category_id == category_id && r.district_id == district_id)
    {
        problems.push(Duplicate);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rules: Vec<RoutingRule> = ctx.rules.to_vec();
    rules.sort_by_key(|r| r.position);
    let rule = RoutingRule {
        id: new_id.to_string(),
        category_id,
        district_id,
        service_id,
        team_id,
        agency,
        position: 0,
    };
    if input.first {
        rules.insert(0, rule);
    } else {
        rules.push(rule);
    }
    Ok(renumber(rules))
}

/// The rules with the one of this id moved up or down, or removed; `None` when there is no
/// such rule or it cannot move further.
pub fn change_rules(
    rules: &[RoutingRule],
    id: &str,
    change: RuleChange,
) -> Option<Vec<RoutingRule>> {
    let mut ordered = rules.to_vec();
    ordered.sort_by_key(|r| r.position);
    let index = ordered.iter().position(|r| r.id == id)?;
    match change {
        RuleChange::Up | RuleChange::Down => {
            if !move_one(&mut ordered, index, change == RuleChange::Up) {
                return None;
            }
        }
        RuleChange::Remove => {
            ordered.remove(index);
        }
    }
    Some(renumber(ordered))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleChange {
    Up,
    Down,
    Remove,
}

// ---------------------------------------------------------------- a test point

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointProblem {
    LatMissing,
    LatInvalid,
    LonMissing,
    LonInvalid,
}

impl PointProblem {
    pub fn field(self) -> &'static str {
        match self {
            PointProblem::LatMissing | PointProblem::LatInvalid => "lat",
            PointProblem::LonMissing | PointProblem::LonInvalid => "lon",
        }
    }
}

/// A latitude and longitude as typed, in degrees (WGS84).
pub fn check_point(lat: &str, lon: &str) -> Result<Point, Vec<PointProblem>> {
    let mut problems = Vec::new();
    let read = |raw: &str, range: std::ops::RangeInclusive<f64>, missing, invalid| {
        if raw.trim().is_empty() {
            Err(missing)
        } else {
            parse_decimal(raw)
                .filter(|v| range.contains(v))
                .ok_or(invalid)
        }
    };
    let lat = read(
        lat,
        -90.0..=90.0,
        PointProblem::LatMissing,
        PointProblem::LatInvalid,
    )
    .map_err(|p| problems.push(p))
    .ok();
    let lon = read(
        lon,
        -180.0..=180.0,
        PointProblem::LonMissing,
        PointProblem::LonInvalid,
    )
    .map_err(|p| problems.push(p))
    .ok();
    match (lat, lon) {
        (Some(lat), Some(lon)) => Point::new(lat, lon).ok_or(vec![PointProblem::LatInvalid]),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn category(id: &str, code: &str, parent: Option<&str>, position: i64) -> Category {
        Category {
            id: id.into(),
            code: code.into(),
            name: code.into(),
            description: String::new(),
            icon: "autre".into(),
            parent_id: parent.map(str::to_string),
            keywords: String::new(),
            notice: String::new(),
            private: false,
            duplicate_radius_m: 50,
            attributes: vec![],
            position,
            active: true,
        }
    }

    fn stored() -> Vec<Category> {
        vec![
            category("v", "voirie", None, 0),
            category("n", "nid-de-poule", Some("v"), 0),
            category("t", "tags", None, 10),
        ]
    }

    fn input(code: &str) -> CategoryInput {
        CategoryInput {
            code: code.into(),
            name: "Mobilier urbain".into(),
            icon: "mobilier".into(),
            duplicate_radius_m: "50".into(),
            active: true,
            ..CategoryInput::default()
        }
    }

    #[test]
    fn a_new_category_is_checked_and_placed_after_its_level() {
        let categories = stored();
        let ctx = CategoryContext {
            categories: &categories,
            editing: None,
            reports: 0,
        };
        let mut typed = input("mobilier");
        typed.keywords = " banc, , abribus ,".into();
        let c = check_category(&typed, &ctx, "new").unwrap();
        assert_eq!((c.id.as_str(), c.position), ("new", 20));
        assert_eq!(c.keywords, "banc, abribus");
        typed.parent_id = "v".into();
        assert_eq!(check_category(&typed, &ctx, "new").unwrap().position, 10);
    }

    #[test]
    fn bad_categories_are_refused_field_by_field() {
        let categories = stored();
        let ctx = CategoryContext {
            categories: &categories,
            editing: None,
            reports: 0,
        };
        let problems = |i: &CategoryInput| check_category(i, &ctx, "new").unwrap_err();
        assert_eq!(problems(&input("tags")), vec![CategoryProblem::CodeTaken]);
        assert_eq!(problems(&input("Tags!")), vec![CategoryProblem::CodeFormat]);
        assert_eq!(problems(&input(" ")), vec![CategoryProblem::CodeMissing]);
        let mut bad = input("banc");
        bad.name = "  ".into();
        bad.icon = "licorne".into();
        bad.duplicate_radius_m = "5".into();
        bad.parent_id = "n".into();
        assert_eq!(
            problems(&bad),
            vec![
                CategoryProblem::NameMissing,
                CategoryProblem::Icon,
                CategoryProblem::ParentNotTopLevel,
                CategoryProblem::Radius
            ]
        );
        bad = input("banc");
        bad.duplicate_radius_m = "1001".into();
        bad.position = "-1".into();
        assert_eq!(
            problems(&bad),
            vec![CategoryProblem::Radius, CategoryProblem::Position]
        );
    }

    #[test]
    fn a_used_code_stays_and_a_parent_stays_top_level() {
        let categories = stored();
        let voirie = &categories[0];
        let ctx = CategoryContext {
            categories: &categories,
            editing: Some(voirie),
            reports: 3,
        };
        let mut typed = CategoryInput::from_category(voirie);
        typed.code = "routes".into();
        assert_eq!(
            check_category(&typed, &ctx, "x").unwrap_err(),
            vec![CategoryProblem::CodeLocked]
        );
        typed.code = "voirie".into();
        typed.parent_id = "t".into();
        assert_eq!(
            check_category(&typed, &ctx, "x").unwrap_err(),
            vec![CategoryProblem::HasSubcategories]
        );
        typed.parent_id = "v".into();
        assert_eq!(
            check_category(&typed, &ctx, "x").unwrap_err(),
            vec![CategoryProblem::ParentItself]
        );
        typed.parent_id.clear();
        let same = check_category(&typed, &ctx, "x").unwrap();
        assert_eq!(same.id, "v");
        // Without reports the code may change.
        let free = CategoryContext { reports: 0, ..ctx };
        typed.code = "routes".into();
        assert_eq!(check_category(&typed, &free, "x").unwrap().code, "routes");
    }

    #[test]
    fn sub_categories_follow_their_parent_in_the_tree() {
        let mut categories = stored();
        categories.push(category("o", "orphan", Some("gone"), 0));
        let order: Vec<(&str, bool)> = tree(&categories)
            .into_iter()
            .map(|(c, sub)| (c.code.as_str(), sub))
            .collect();
        assert_eq!(
            order,
            vec![
                ("voirie", false),
                ("nid-de-poule", true),
                ("tags", false),
                ("orphan", true)
            ]
        );
        assert_eq!(
            full_name(&categories, &categories[1]),
            "voirie › nid-de-poule"
        );
    }

    fn question(code: &str, datatype: &str, values: &str) -> QuestionInput {
        QuestionInput {
            code: code.into(),
            description: "Quel volume ?".into(),
            datatype: datatype.into(),
            values: values.into(),
            ..QuestionInput::default()
        }
    }

    #[test]
    fn list_values_are_read_line_by_line_without_json() {
        let values = parse_values("sac | Un ou deux sacs\n\nEncombrants (meubles)\r\n").unwrap();
        assert_eq!(values[0].key, "sac");
        assert_eq!(values[1].key, "encombrants_meubles");
        assert_eq!(values[1].name, "Encombrants (meubles)");
        assert_eq!(parse_values(&values_text(&values)).unwrap(), values);
        assert_eq!(
            parse_values("a | A\nB C | b\na | encore\n | vide").unwrap_err(),
            vec![
                (2, ValueProblem::KeyFormat("B C".into())),
                (3, ValueProblem::DuplicateKey("a".into())),
                (4, ValueProblem::KeyFormat(String::new())),
            ]
        );
        assert_eq!(
            parse_values("x |").unwrap_err(),
            vec![(1, ValueProblem::NameMissing)]
        );
    }

    #[test]
    fn questions_are_checked_against_their_type_and_siblings() {
        let list = check_question(
            &question("volume", "singlevaluelist", "sac | Un sac"),
            &[],
            None,
        )
        .unwrap();
        assert_eq!(list.values.len(), 1);
        assert!(list.variable);
        let others = vec![list.clone()];
        assert_eq!(
            check_question(&question("volume", "string", ""), &others, None).unwrap_err(),
            vec![QuestionProblem::CodeTaken]
        );
        assert_eq!(
            check_question(&question("taille", "multivaluelist", " \n"), &others, None)
                .unwrap_err(),
            vec![QuestionProblem::ListWithoutValues]
        );
        assert_eq!(
            check_question(&question("taille", "number", "a | A"), &others, None).unwrap_err(),
            vec![QuestionProblem::ValuesWithoutList]
        );
        assert_eq!(
            check_question(&question("taille", "couleur", ""), &others, None).unwrap_err(),
            vec![QuestionProblem::Datatype]
        );
        let mut info = question("info", "text", "");
        info.information = true;
        info.required = true;
        assert_eq!(
            check_question(&info, &others, None).unwrap_err(),
            vec![QuestionProblem::InformationRequired]
        );
        info.required = false;
        assert!(!check_question(&info, &others, None).unwrap().variable);
        assert_eq!(
            check_question(&question("autre", "string", ""), &[], Some("volume")).unwrap_err(),
            vec![QuestionProblem::CodeLocked]
        );
        let back = QuestionInput::from_attribute(&list);
        assert_eq!(check_question(&back, &[], Some("volume")).unwrap(), list);
    }

    fn rule(
        id: &str,
        position: i64,
        category: Option<&str>,
        district: Option<&str>,
    ) -> RoutingRule {
        RoutingRule {
            id: id.into(),
            category_id: category.map(str::to_string),
            district_id: district.map(str::to_string),
            service_id: "voirie".into(),
            team_id: None,
            agency: String::new(),
            position,
        }
    }

    #[test]
    fn rules_are_added_checked_moved_and_removed_in_order() {
        let categories = stored();
        let rules = vec![rule("b", 20, None, None), rule("a", 10, Some("t"), None)];
        let services = vec!["voirie".to_string(), "police".to_string()];
        let teams = vec![("nord".to_string(), "voirie".to_string())];
        let ctx = RuleContext {
            categories: &categories,
            districts: &[],
            service_ids: &services,
            teams: &teams,
            rules: &rules,
        };
        let new = RuleInput {
            category_id: "v".into(),
            service_id: "voirie".into(),
            team_id: "nord".into(),
            first: true,
            ..RuleInput::default()
        };
        let added = add_rule(&new, &ctx, "c").unwrap();
        let order: Vec<(&str, i64)> = added.iter().map(|r| (r.id.as_str(), r.position)).collect();
        assert_eq!(order, vec![("c", 10), ("a", 20), ("b", 30)]);
        let bad = RuleInput {
            category_id: "t".into(),
            district_id: "nowhere".into(),
            service_id: "police".into(),
            team_id: "nord".into(),
            ..RuleInput::default()
        };
        assert_eq!(
            add_rule(&bad, &ctx, "d").unwrap_err(),
            vec![RuleProblem::DistrictUnknown, RuleProblem::TeamNotOfService]
        );
        let twice = RuleInput {
            category_id: "t".into(),
            service_id: "police".into(),
            ..RuleInput::default()
        };
        assert_eq!(
            add_rule(&twice, &ctx, "d").unwrap_err(),
            vec![RuleProblem::Duplicate]
        );
        assert_eq!(
            add_rule(&RuleInput::default(), &ctx, "d").unwrap_err(),
            vec![RuleProblem::ServiceMissing, RuleProblem::Duplicate]
        );
        let down = change_rules(&added, "c", RuleChange::Down).unwrap();
        let ids: Vec<&str> = down.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "c", "b"]);
        assert!(change_rules(&added, "c", RuleChange::Up).is_none());
        assert!(change_rules(&added, "b", RuleChange::Down).is_none());
        assert!(change_rules(&added, "zz", RuleChange::Remove).is_none());
        let removed = change_rules(&added, "a", RuleChange::Remove).unwrap();
        let order: Vec<(&str, i64)> = removed
            .iter()
            .map(|r| (r.id.as_str(), r.position))
            .collect();
        assert_eq!(order, vec![("c", 10), ("b", 20)]);
    }

    #[test]
    fn a_point_is_read_in_french_or_english_notation() {
        assert_eq!(
            check_point("45,7641", " 4.8357 ").unwrap(),
            Point::new(45.7641, 4.8357).unwrap()
        );
        assert_eq!(
            check_point("", "200").unwrap_err(),
            vec![PointProblem::LatMissing, PointProblem::LonInvalid]
        );
        assert_eq!(
            check_point("nord", "").unwrap_err(),
            vec![PointProblem::LatInvalid, PointProblem::LonMissing]
        );
    }

    #[test]
    fn slugs_drop_accents_and_punctuation() {
        assert_eq!(slugify("Les Coteaux"), "les-coteaux");
        assert_eq!(
            slugify("  Quartier de l'Église — Nord "),
            "quartier-de-l-eglise-nord"
        );
        assert_eq!(slugify("!!!"), "");
        assert!(is_code(&slugify("Cœur de ville")));
    }

    proptest! {
        #[test]
        fn a_slug_is_always_a_valid_code_or_empty(name in "\\PC{0,80}") {
            let slug = slugify(&name);
            prop_assert!(slug.is_empty() || is_code(&slug), "{slug}");
        }

        #[test]
        fn moving_keeps_every_item(len in 0usize..8, index in 0usize..10, up in any::<bool>()) {
            let mut items: Vec<usize> = (0..len).collect();
            move_one(&mut items, index, up);
            let mut sorted = items.clone();
            sorted.sort_unstable();
            prop_assert_eq!(sorted, (0..len).collect::<Vec<_>>());
        }
    }
}
