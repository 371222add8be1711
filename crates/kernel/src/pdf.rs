//! A4 letters and documents as PDF: the commune's letterhead, an optional recipient block
//! placed for a French DL window envelope, a title, then headings, paragraphs, label/value
//! lines and explicit page breaks, with « Page 1 / 2 » at the foot of every page.
//!
//! Text is set in the standard Helvetica fonts every PDF reader has, with WinAnsiEncoding:
//! nothing to embed, and it covers French (accents, « », œ, €, ’). The text stays real text
//! (searchable, copyable, read aloud): the document is tagged (headings, paragraphs, page
//! furniture marked as artifacts), its language is fr-FR and its title is shown by readers.
//!
//! Layout is a pure function of the document ([`Document::layout`]), so line breaking and
//! page breaking are tested without reading a PDF back; [`Document::to_pdf`] only writes.

use jiff::Timestamp;
use pdf_writer::types::StructRole;
use pdf_writer::{Content, Date, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::config::CommuneConfig;

/// One millimetre in PDF points.
pub const MM: f32 = 72.0 / 25.4;
pub const PAGE_WIDTH: f32 = 210.0 * MM;
pub const PAGE_HEIGHT: f32 = 297.0 * MM;
const MARGIN_LEFT: f32 = 20.0 * MM;
const MARGIN_RIGHT: f32 = 20.0 * MM;
const MARGIN_TOP: f32 = 15.0 * MM;
/// Body text stops here (measured from the top); the footer lives below.
const BODY_BOTTOM: f32 = PAGE_HEIGHT - 22.0 * MM;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 12.0 * MM;
const BODY_WIDTH: f32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;

/// The address window of a DL envelope (220 × 110 mm, window 100 × 45 mm, 20 mm from the
/// right and 15 mm from the bottom): on an A4 sheet folded in three, the block below shows
/// through it with a few millimetres to spare on every side.
pub const RECIPIENT_LEFT: f32 = 110.0 * MM;
pub const RECIPIENT_TOP: f32 = 52.0 * MM;
pub const RECIPIENT_WIDTH: f32 = 85.0 * MM;
/// The first fold of the letter: with a recipient block, the body starts below it.
const FOLD: f32 = 99.0 * MM;

const BODY_SIZE: f32 = 10.5;
const BODY_LEADING: f32 = 14.0;
const HEADING_SIZE: f32 = 12.0;
const TITLE_SIZE: f32 = 14.0;
const LABEL_WIDTH: f32 = 55.0 * MM;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
}

impl Font {
    fn resource(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }

    /// Advance width of a WinAnsi code, in thousandths of the font size.
    fn width(self, code: u8) -> u16 {
        if code < 0x20 {
            return 0;
        }
        let table = match self {
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        };
        table[usize::from(code - 0x20)]
    }
}

/// What a piece of text is, for readers that follow the document's structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The document's title.
    Title,
    Heading,
    Paragraph,
}

impl Role {
    fn struct_role(self) -> StructRole {
        match self {
            Role::Title => StructRole::H1,
            Role::Heading => StructRole::H2,
            Role::Paragraph => StructRole::P,
        }
    }

    fn tag(self) -> Name<'static> {
        match self {
            Role::Title => Name(b"H1"),
            Role::Heading => Name(b"H2"),
            Role::Paragraph => Name(b"P"),
        }
    }
}

/// One line of text placed on a page. `x` and `baseline` are in points from the left and
/// from the top of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub x: f32,
    pub baseline: f32,
    pub font: Font,
    pub size: f32,
    pub text: String,
    /// Index in [`Layout::elements`]; `None` for page furniture (the footer).
    pub element: Option<usize>,
}

impl Line {
    pub fn width(&self) -> f32 {
        text_width(&self.text, self.font, self.size)
    }
}

/// Where every line falls, page by page.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub pages: Vec<Vec<Line>>,
    pub elements: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq)]
enum Block {
    Heading(String),
    Paragraph(String),
    Field(String, String),
    /// Right-aligned lines: place and date, signatory.
    Right(String),
    PageBreak,
}

/// A letter or a document of the commune, built step by step, then laid out and written.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    title: String,
    author: String,
    commune: String,
    /// Address and contact lines under the commune's name.
    sender: Vec<String>,
    service: Option<String>,
    /// The commune's main colour, for its name in the letterhead.
    accent: (f32, f32, f32),
    recipient: Vec<String>,
    blocks: Vec<Block>,
}

impl Document {
    /// A document with the commune's letterhead; the commune is its author.
    pub fn new(title: impl Into<String>, commune: &CommuneConfig) -> Document {
        let mut sender = Vec::new();
        if !commune.address.trim().is_empty() {
            sender.push(commune.address.trim().to_string());
        }
        let contact: Vec<&str> = [commune.phone.trim(), commune.email.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if !contact.is_empty() {
            sender.push(contact.join(" · "));
        }
        Document {
            title: title.into(),
            author: commune.name.clone(),
            commune: commune.name.clone(),
            sender,
            service: None,
            accent: hex_rgb(&commune.primary_color).unwrap_or((0.0, 0.0, 0.0)),
            recipient: Vec::new(),
            blocks: Vec::new(),
        }
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// The service that writes, under the commune's name.
    pub fn service(&mut self, name: impl Into<String>) -> &mut Self {
        let name = name.into();
        self.service = (!name.trim().is_empty()).then_some(name);
        self
    }

    /// The recipient's name and address, one line each, placed in the envelope window.
    pub fn recipient<S: Into<String>>(&mut self, lines: impl IntoIterator<Item = S>) -> &mut Self {
        self.recipient = lines
            .into_iter()
            .map(Into::into)
            .filter(|l: &String| !l.trim().is_empty())
            .collect();
        self
    }

    pub fn heading(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Heading(text.into()));
        self
    }

    /// A paragraph; its line breaks (`\n`) are kept, blank lines included.
    pub fn paragraph(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    /// « Label » in bold, its value beside it.
    pub fn field(&mut self, label: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Field(label.into(), value.into()));
        self
    }

    /// Right-aligned text (« Ville de Démo, le 3 mars 2026 », the signatory).
    pub fn right(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Right(text.into()));
        self
    }

    pub fn page_break(&mut self) -> &mut Self {
        self.blocks.push(Block::PageBreak);
        self
    }

    /// Places every line on its page. Pure.
    pub fn layout(&self) -> Layout {
        let mut l = Layouter::default();
        l.pages.push(Vec::new());

        // Letterhead: the commune, its service, then its address and contacts.
        let sender_width = if self.recipient.is_empty() {
            BODY_WIDTH
        } else {
            RECIPIENT_LEFT - MARGIN_LEFT - 5.0 * MM
        };
        let head = l.element(Role::Paragraph);
        l.cursor = MARGIN_TOP;
        l.text_lines(
            &self.commune,
            Font::Bold,
            15.0,
            19.0,
            MARGIN_LEFT,
            sender_width,
            head,
        );
        if let Some(service) = &self.service {
            l.text_lines(
                service,
                Font::Bold,
                10.5,
                14.0,
                MARGIN_LEFT,
                sender_width,
                head,
            );
        }
        for line in &self.sender {
            l.text_lines(
                line,
                Font::Regular,
                9.0,
                12.0,
                MARGIN_LEFT,
                sender_width,
                head,
            );
        }

        // Recipient, in the envelope window.
        if !self.recipient.is_empty() {
            let after_sender = l.cursor;
            let block = l.element(Role::Paragraph);
            l.cursor = RECIPIENT_TOP;
            for line in &self.recipient {
                l.text_lines(
                    line,
                    Font::Regular,
                    BODY_SIZE,
                    BODY_LEADING,
                    RECIPIENT_LEFT,
                    RECIPIENT_WIDTH,
                    block,
                );
            }
            l.cursor = l.cursor.max(after_sender).max(FOLD);
        }

        l.cursor += 8.0 * MM;
        let title = l.element(Role::Title);
        l.text_lines(
            &self.title,
            Font::Bold,
            TITLE_SIZE,
            18.0,
            MARGIN_LEFT,
            BODY_WIDTH,
            title,
        );
        l.cursor += 4.0 * MM;

        for block in &self.blocks {
            match block {
                Block::Heading(text) => {
                    l.cursor += 6.0;
                    // Keep a heading with at least two lines of what follows.
                    let lines = wrap(text, Font::Bold, HEADING_SIZE, BODY_WIDTH).len();
                    l.ensure(lines as f32 * 16.0 + 2.0 * BODY_LEADING);
                    let e = l.element(Role::Heading);
                    l.text_lines(
                        text,
                        Font::Bold,
                        HEADING_SIZE,
                        16.0,
                        MARGIN_LEFT,
                        BODY_WIDTH,
                        e,
                    );
                    l.cursor += 2.0;
                }
                Block::Paragraph(text) => {
                    let e = l.element(Role::Paragraph);
                    l.text_lines(
                        text,
                        Font::Regular,
                        BODY_SIZE,
                        BODY_LEADING,
                        MARGIN_LEFT,
                        BODY_WIDTH,
                        e,
                    );
                    l.cursor += 7.0;
                }
                Block::Field(label, value) => {
                    let e = l.element(Role::Paragraph);
                    let labels = wrap(label, Font::Bold, BODY_SIZE, LABEL_WIDTH - 3.0 * MM);
                    let values = wrap(value, Font::Regular, BODY_SIZE, BODY_WIDTH - LABEL_WIDTH);
                    for i in 0..labels.len().max(values.len()) {
                        l.ensure(BODY_LEADING);
                        if let Some(text) = labels.get(i) {
                            l.place(MARGIN_LEFT, Font::Bold, BODY_SIZE, text, e);
                        }
                        if let Some(text) = values.get(i) {
                            l.place(MARGIN_LEFT + LABEL_WIDTH, Font::Regular, BODY_SIZE, text, e);
                        }
                        l.cursor += BODY_LEADING;
                    }
                    l.cursor += 2.0;
                }
                Block::Right(text) => {
                    let e = l.element(Role::Paragraph);
                    for line in wrap(text, Font::Regular, BODY_SIZE, BODY_WIDTH / 2.0) {
                        l.ensure(BODY_LEADING);
                        let x =
                            PAGE_WIDTH - MARGIN_RIGHT - text_width(&line, Font::Regular, BODY_SIZE);
                        l.place(x, Font::Regular, BODY_SIZE, &line, e);
                        l.cursor += BODY_LEADING;
                    }
                    l.cursor += 7.0;
                }
                Block::PageBreak => l.new_page(),
            }
        }

        // Footer on every page, now that the number of pages is known.
        let count = l.pages.len();
        for (index, page) in l.pages.iter_mut().enumerate() {
            let number = format!("Page {} / {count}", index + 1);
            let size = 8.5;
            page.push(Line {
                x: MARGIN_LEFT,
                baseline: FOOTER_BASELINE,
                font: Font::Regular,
                size,
                text: fit(&self.title, Font::Regular, size, BODY_WIDTH - 30.0 * MM),
                element: None,
            });
            page.push(Line {
                x: PAGE_WIDTH - MARGIN_RIGHT - text_width(&number, Font::Regular, size),
                baseline: FOOTER_BASELINE,
                font: Font::Regular,
                size,
                text: number,
                element: None,
            });
        }
        Layout {
            pages: l.pages,
            elements: l.elements,
        }
    }

    /// The PDF file. `created` is written in the document's metadata.
    pub fn to_pdf(&self, created: Timestamp) -> Vec<u8> {
        let layout = self.layout();
        let mut pdf = Pdf::new();
        let mut next = 1;
        let mut alloc = || {
            let r = Ref::new(next);
            next += 1;
            r
        };
        let catalog_id = alloc();
        let pages_id = alloc();
        let info_id = alloc();
        let regular_id = alloc();
        let bold_id = alloc();
        let document_id = alloc();
        let page_ids: Vec<(Ref, Ref, Ref)> = layout
            .pages
            .iter()
            .map(|_| (alloc(), alloc(), alloc()))
            .collect();
        let element_ids: Vec<Ref> = layout.elements.iter().map(|_| alloc()).collect();

        // Marked-content ids, page by page, and which element each belongs to.
        let mut marks: Vec<Vec<usize>> = vec![Vec::new(); layout.pages.len()];
        let mut element_marks: Vec<Vec<(usize, i32)>> = vec![Vec::new(); layout.elements.len()];
        for (p, page) in layout.pages.iter().enumerate() {
            for line in page {
                if let Some(e) = line.element {
                    let mcid = i32::try_from(marks[p].len()).unwrap_or(i32::MAX);
                    marks[p].push(e);
                    element_marks[e].push((p, mcid));
                }
            }
        }

        {
            let mut catalog = pdf.catalog(catalog_id);
            catalog.pages(pages_id);
            catalog.lang(TextStr("fr-FR"));
            catalog.viewer_preferences().display_doc_title(true);
            catalog.mark_info().marked(true);
            let mut root = catalog.struct_tree_root();
            root.child(document_id);
            let mut tree = root.parent_tree();
            let mut nums = tree.nums();
            for (p, (_, _, array_id)) in page_ids.iter().enumerate() {
                nums.insert(i32::try_from(p).unwrap_or(i32::MAX), *array_id);
            }
            nums.finish();
            tree.finish();
            root.parent_tree_next_key(i32::try_from(page_ids.len()).unwrap_or(i32::MAX));
        }
        pdf.pages(pages_id)
            .kids(page_ids.iter().map(|(page, _, _)| *page))
            .count(i32::try_from(page_ids.len()).unwrap_or(i32::MAX));

        let date = {
            let utc = created.to_zoned(jiff::tz::TimeZone::UTC);
            Date::new(u16::try_from(utc.year()).unwrap_or(2000))
                .month(u8::try_from(utc.month()).unwrap_or(1))
                .day(u8::try_from(utc.day()).unwrap_or(1))
                .hour(u8::try_from(utc.hour()).unwrap_or(0))
                .minute(u8::try_from(utc.minute()).unwrap_or(0))
                .second(u8::try_from(utc.second()).unwrap_or(0))
                .utc_offset_hour(0)
        };
        pdf.document_info(info_id)
            .title(TextStr(&self.title))
            .author(TextStr(&self.author))
            .creator(TextStr("Parvis"))
            .producer(TextStr("Parvis"))
            .creation_date(date);

        for (id, name) in [
            (regular_id, Name(b"Helvetica")),
            (bold_id, Name(b"Helvetica-Bold")),
        ] {
            pdf.type1_font(id)
                .base_font(name)
                .encoding_predefined(Name(b"WinAnsiEncoding"));
        }

        let (ar, ag, ab) = self.accent;
        for (p, page) in layout.pages.iter().enumerate() {
            let (page_id, content_id, array_id) = page_ids[p];
            let mut content = Content::new();
            let mut mcid = 0;
            for line in page {
                let accent = line.element.is_some() && p == 0 && line.text == self.commune;
                match line.element {
                    Some(e) => {
                        content
                            .begin_marked_content_with_properties(layout.elements[e].tag())
                            .properties()
                            .identify(mcid);
                        mcid += 1;
                    }
                    None => {
                        content.begin_marked_content(Name(b"Artifact"));
                    }
                }
                if accent {
                    content.set_fill_rgb(ar, ag, ab);
                }
                content.begin_text();
                content.set_font(line.font.resource(), line.size);
                content.next_line(line.x, PAGE_HEIGHT - line.baseline);
                content.show(Str(&encode(&line.text)));
                content.end_text();
                if accent {
                    content.set_fill_gray(0.0);
                }
                content.end_marked_content();
            }
            // A thin rule above the footer.
            content.begin_marked_content(Name(b"Artifact"));
            content.set_stroke_gray(0.6);
            content.set_line_width(0.5);
            content.move_to(MARGIN_LEFT, PAGE_HEIGHT - FOOTER_BASELINE + 12.0);
            content.line_to(
                PAGE_WIDTH - MARGIN_RIGHT,
                PAGE_HEIGHT - FOOTER_BASELINE + 12.0,
            );
            content.stroke();
            content.end_marked_content();
            pdf.stream(content_id, &content.finish());

            let mut page_writer = pdf.page(page_id);
            page_writer
                .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .parent(pages_id)
                .contents(content_id)
                .struct_parents(i32::try_from(p).unwrap_or(i32::MAX));
            page_writer
                .resources()
                .fonts()
                .pair(Font::Regular.resource(), regular_id)
                .pair(Font::Bold.resource(), bold_id);
            page_writer.finish();

            pdf.indirect(array_id)
                .array()
                .items(marks[p].iter().map(|e| element_ids[*e]));
        }

        {
            let mut document = pdf.struct_element(document_id);
            document.kind(StructRole::Document).parent(catalog_id);
            let mut children = document.children();
            for id in &element_ids {
                children.struct_element(*id);
            }
        }
        for (e, role) in layout.elements.iter().enumerate() {
            let mut element = pdf.struct_element(element_ids[e]);
            element.kind(role.struct_role()).parent(document_id);
            let mut children = element.children();
            for (p, mcid) in &element_marks[e] {
                children
                    .marked_content_ref()
                    .page(page_ids[*p].0)
                    .marked_content_id(*mcid);
            }
        }
        pdf.finish()
    }
}

#[derive(Default)]
struct Layouter {
    pages: Vec<Vec<Line>>,
    elements: Vec<Role>,
    /// Top of the next line, from the top of the page.
    cursor: f32,
}

impl Layouter {
    fn element(&mut self, role: Role) -> usize {
        self.elements.push(role);
        self.elements.len() - 1
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.cursor = MARGIN_TOP;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn ensure(&mut self, height: f32) {
        if self.cursor + height > BODY_BOTTOM && self.cursor > MARGIN_TOP {
            self.new_page();
        }
    }

    fn place(&mut self, x: f32, font: Font, size: f32, text: &str, element: usize) {
        if text.is_empty() {
            return;
        }
        let line = Line {
            x,
            baseline: self.cursor + size * 0.8,
            font,
            size,
            text: text.to_string(),
            element: Some(element),
        };
        if let Some(page) = self.pages.last_mut() {
            page.push(line);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn text_lines(
        &mut self,
        text: &str,
        font: Font,
        size: f32,
        leading: f32,
        x: f32,
        width: f32,
        element: usize,
    ) {
        for line in wrap(text, font, size, width) {
            self.ensure(leading);
            self.place(x, font, size, &line, element);
            self.cursor += leading;
        }
    }
}

/// The WinAnsi code of a character, if the standard fonts have it.
fn win_ansi(c: char) -> Option<u8> {
    let code = u32::from(c);
    match code {
        0x20..=0x7E | 0xA0..=0xFF => u8::try_from(code).ok(),
        _ => Some(match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            // Characters French typography uses that WinAnsi lacks, by their look-alike:
            // the narrow no-break space before « ; : ! ? » and the thin space.
            '\u{202F}' => 0xA0,
            '\u{2009}' | '\u{2002}' | '\u{2003}' | '\t' => b' ',
            '\u{2010}' | '\u{2011}' | '\u{2212}' => b'-',
            '\u{2032}' => b'\'',
            _ => return None,
        }),
    }
}

/// Text as bytes of the fonts' WinAnsi encoding; a character they lack becomes « ? ».
pub fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .map(|c| win_ansi(c).unwrap_or(b'?'))
        .collect()
}

/// Width of a line of text, in points.
pub fn text_width(text: &str, font: Font, size: f32) -> f32 {
    let units: u32 = encode(text)
        .into_iter()
        .map(|b| u32::from(font.width(b)))
        .sum();
    units as f32 * size / 1000.0
}

/// Breaks text into lines no wider than `width`: at spaces, keeping the text's own line
/// breaks; a word too long for a line is cut where it must.
pub fn wrap(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for hard in text.split('\n') {
        let hard = hard.trim_end_matches('\r');
        let mut current = String::new();
        for word in hard.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if current.is_empty() {
                word.to_string()
            } else {
                format!("{current} {word}")
            };
            if text_width(&candidate, font, size) <= width {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            // The word alone: cut it if even that is too wide.
            for c in word.chars() {
                let mut longer = current.clone();
                longer.push(c);
                if text_width(&longer, font, size) > width && !current.is_empty() {
                    lines.push(std::mem::take(&mut current));
                    current.push(c);
                } else {
                    current = longer;
                }
            }
        }
        lines.push(current);
    }
    // A blank line in the middle is kept (it separates paragraphs); trailing ones are not.
    while lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.len() == 1 && lines[0].is_empty() {
        lines.clear();
    }
    lines
}

/// One line, shortened with « … » if it is too wide.
fn fit(text: &str, font: Font, size: f32, width: f32) -> String {
    if text_width(text, font, size) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        let mut longer = out.clone();
        longer.push(c);
        longer.push('…');
        if text_width(&longer, font, size) > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn hex_rgb(hex: &str) -> Option<(f32, f32, f32)> {
    if !crate::config::is_hex_color(hex) {
        return None;
    }
    let channel = |i: usize| {
        u8::from_str_radix(&hex[i..i + 2], 16)
            .ok()
            .map(|v| f32::from(v) / 255.0)
    };
    Some((channel(1)?, channel(3)?, channel(5)?))
}

/// Advance widths of Helvetica for WinAnsi codes 0x20 to 0xFF, in thousandths of an em
/// (Adobe's metrics of the standard fonts; 0 where WinAnsi has no character).
const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, //
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, //
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, //
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, //
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, //
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0, //
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, //
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, //
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, //
    400, 584, 333, 333, 333, 578, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, //
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, //
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, //
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, //
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, //
];

/// The same for Helvetica-Bold.
const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, //
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, //
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, //
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, //
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, //
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0, //
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, //
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, //
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, //
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, //
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, //
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, //
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, //
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, //
];

#[cfg(test)]
mod tests {
    use super::*;

    fn commune() -> CommuneConfig {
        CommuneConfig::default()
    }

    fn extract(bytes: &[u8]) -> (lopdf::Document, String) {
        let doc = lopdf::Document::load_mem(bytes).expect("a readable PDF");
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        let text = doc.extract_text(&pages).expect("text");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        (doc, flat)
    }

    #[test]
    fn french_characters_map_to_win_ansi() {
        assert_eq!(
            encode("é à « » œ € ’ Ç"),
            vec![
                0xE9, b' ', 0xE0, b' ', 0xAB, b' ', 0xBB, b' ', 0x9C, b' ', 0x80, b' ', 0x92, b' ',
                0xC7
            ]
        );
        assert_eq!(encode("a\u{202F}:"), vec![b'a', 0xA0, b':']);
        assert_eq!(encode("→"), vec![b'?']);
        assert_eq!(encode("a\u{7}b"), vec![b'a', b'b']);
    }

    #[test]
    fn widths_follow_the_font_metrics() {
        // « i » is narrow, « m » wide, bold wider than regular.
        assert!(text_width("iiii", Font::Regular, 10.0) < text_width("mmmm", Font::Regular, 10.0));
        assert!((text_width("a", Font::Regular, 10.0) - 5.56).abs() < 0.001);
        assert!(text_width("Démo", Font::Bold, 10.0) > text_width("Démo", Font::Regular, 10.0));
    }

    #[test]
    fn wrapping_keeps_every_word_within_the_width() {
        let text = "Cette demande peut donner lieu à une décision implicite d’acceptation. \
                    Sans décision expresse de notre part dans un délai de deux mois, elle sera \
                    réputée acceptée.";
        let width = 60.0 * MM;
        let lines = wrap(text, Font::Regular, BODY_SIZE, width);
        assert!(lines.len() >= 3, "{lines:?}");
        for line in &lines {
            assert!(
                text_width(line, Font::Regular, BODY_SIZE) <= width,
                "{line}"
            );
            assert!(!line.starts_with(' ') && !line.ends_with(' '));
        }
        assert_eq!(
            lines.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        // Line breaks of the text are kept, blank lines too; an overlong word is cut.
        assert_eq!(
            wrap("Bonjour,\n\nMerci.", Font::Regular, 10.0, 200.0),
            vec!["Bonjour,", "", "Merci."]
        );
        let long = "x".repeat(200);
        let cut = wrap(&long, Font::Regular, 10.0, 100.0);
        assert!(cut.len() > 1);
        assert_eq!(cut.concat(), long);
        assert!(wrap("", Font::Regular, 10.0, 100.0).is_empty());
    }

    #[test]
    fn long_documents_break_into_numbered_pages() {
        let mut doc = Document::new("Un long document", &commune());
        for i in 0..80 {
            doc.paragraph(format!(
                "Paragraphe {i} : la commune rappelle les règles applicables à votre demande."
            ));
        }
        let layout = doc.layout();
        assert!(layout.pages.len() >= 3, "{} pages", layout.pages.len());
        let count = layout.pages.len();
        for (i, page) in layout.pages.iter().enumerate() {
            let footer = format!("Page {} / {count}", i + 1);
            assert!(page.iter().any(|l| l.text == footer && l.element.is_none()));
            for line in page.iter().filter(|l| l.element.is_some()) {
                assert!(line.baseline <= BODY_BOTTOM, "{line:?}");
                assert!(line.x >= MARGIN_LEFT - 0.01);
                assert!(line.x + line.width() <= PAGE_WIDTH - MARGIN_RIGHT + 0.01);
            }
        }
        // Every paragraph is there once, in order.
        let texts: Vec<&str> = layout
            .pages
            .iter()
            .flatten()
            .filter(|l| l.text.starts_with("Paragraphe"))
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(texts.len(), 80);
        assert!(texts[79].starts_with("Paragraphe 79 "));
    }

    #[test]
    fn an_explicit_page_break_starts_a_new_page() {
        let mut doc = Document::new("Deux pages", &commune());
        doc.paragraph("Première page.");
        doc.page_break();
        doc.heading("Annexe");
        doc.paragraph("Seconde page.");
        let layout = doc.layout();
        assert_eq!(layout.pages.len(), 2);
        assert!(layout.pages[1].iter().any(|l| l.text == "Annexe"));
        assert!(layout.pages[1].iter().any(|l| l.text == "Page 2 / 2"));
        assert!(!layout.pages[0].iter().any(|l| l.text == "Seconde page."));
    }

    #[test]
    fn a_heading_is_never_left_alone_at_the_foot_of_a_page() {
        let mut doc = Document::new("Titres", &commune());
        for i in 0..200 {
            doc.heading(format!("Titre {i}"));
            doc.paragraph("Texte.");
        }
        for page in doc.layout().pages {
            let body: Vec<&Line> = page.iter().filter(|l| l.element.is_some()).collect();
            let last = body.last().expect("a page with text");
            assert!(!last.text.starts_with("Titre "), "{last:?}");
        }
    }

    #[test]
    fn the_recipient_shows_through_the_envelope_window() {
        let mut doc = Document::new("Accusé de réception", &commune());
        doc.recipient(["Germaine Roux", "5 impasse des Peupliers", "00000 Démo"]);
        doc.paragraph("Corps de la lettre.");
        let layout = doc.layout();
        let page = &layout.pages[0];
        let address = page.iter().find(|l| l.text == "Germaine Roux").unwrap();
        // Window of a DL envelope: from 100 to 200 mm across, 50 to 95 mm down, allowing
        // for the sheet moving in the envelope.
        assert!(address.x >= 100.0 * MM && address.x + address.width() <= 200.0 * MM);
        let last = page.iter().find(|l| l.text == "00000 Démo").unwrap();
        assert!(address.baseline - address.size >= 50.0 * MM);
        assert!(last.baseline <= 95.0 * MM);
        // The letter itself starts below the first fold.
        let body = page
            .iter()
            .find(|l| l.text == "Corps de la lettre.")
            .unwrap();
        assert!(body.baseline > FOLD);
        let title = page
            .iter()
            .find(|l| l.text == "Accusé de réception")
            .unwrap();
        assert!(title.baseline > FOLD);
    }

    #[test]
    fn french_text_reads_back_from_the_pdf_with_its_metadata() {
        let mut doc = Document::new("Décision relative à votre demande", &commune());
        doc.service("Urbanisme et occupation du domaine public");
        doc.recipient(["Camille Martin", "12 rue Victor-Hugo", "00000 Démo"]);
        doc.field("Numéro", "DEM-2026-000123");
        doc.heading("Motifs");
        doc.paragraph(
            "L’œuvre « Théâtre d’été » coûte 1 250 € ; la décision est prise après l’avis \
             de la commission. Ça marche, à côté du cœur de ville, où l’on évalue l’impact.",
        );
        doc.right("Ville de Démo, le 1er avril 2026");
        let created: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        let bytes = doc.to_pdf(created);
        assert!(bytes.starts_with(b"%PDF-"));
        let (pdf, text) = extract(&bytes);
        for expected in [
            "Ville de Démo",
            "Urbanisme et occupation du domaine public",
            "Hôtel de ville, 1 place de la Mairie, 00000 Démo",
            "Camille Martin",
            "Décision relative à votre demande",
            "Numéro DEM-2026-000123",
            "L’œuvre « Théâtre d’été » coûte 1 250 € ; la décision est prise après l’avis de la \
             commission. Ça marche, à côté du cœur de ville, où l’on évalue l’impact.",
            "Ville de Démo, le 1er avril 2026",
            "Page 1 / 1",
        ] {
            assert!(text.contains(expected), "missing « {expected} » in {text}");
        }
        let info = pdf
            .trailer
            .get(b"Info")
            .and_then(|o| o.as_reference())
            .and_then(|r| pdf.get_dictionary(r))
            .unwrap();
        let title = info.get(b"Title").unwrap();
        assert_eq!(
            lopdf::decode_text_string(title).unwrap(),
            "Décision relative à votre demande"
        );
        assert_eq!(
            lopdf::decode_text_string(info.get(b"Author").unwrap()).unwrap(),
            "Ville de Démo"
        );
        let catalog = pdf.catalog().unwrap();
        assert_eq!(
            lopdf::decode_text_string(catalog.get(b"Lang").unwrap()).unwrap(),
            "fr-FR"
        );
        assert!(catalog.get(b"StructTreeRoot").is_ok(), "a tagged PDF");
    }

    #[test]
    fn a_long_pdf_has_as_many_pages_as_its_layout() {
        let mut doc = Document::new("Long", &commune());
        for _ in 0..150 {
            doc.paragraph("Une ligne de texte assez longue pour remplir la page peu à peu.");
        }
        let pages = doc.layout().pages.len();
        let (pdf, text) = extract(&doc.to_pdf(Timestamp::UNIX_EPOCH));
        assert_eq!(pdf.get_pages().len(), pages);
        assert!(text.contains(&format!("Page {pages} / {pages}")));
    }
}
