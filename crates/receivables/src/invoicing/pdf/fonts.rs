//! The fonts printed documents use: DejaVu Sans and DejaVu Sans Bold for Latin, Greek and Cyrillic
//! text, and Droid Sans Fallback for any character they lack (Chinese, Japanese, Korean). They
//! are compiled into the binary; each PDF embeds a subset holding only the glyphs it uses, with a
//! ToUnicode map so its text can be searched and copied.
//!
//! Text is not shaped: every character is one glyph, chosen per character from the first font
//! that has it, which suits the scripts these fonts cover (no ligatures or contextual forms).

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Filter, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;
use std::sync::LazyLock;
use subsetter::GlyphRemapper;

static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");
static DROID_SANS_FALLBACK: &[u8] = include_bytes!("../../../assets/fonts/DroidSansFallback.ttf");

/// Printed in place of a character none of the fonts has.
const REPLACEMENT: char = '?';

/// One of the embedded fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Face {
    Regular,
    Bold,
    /// CJK; also used for bold text, drawn with a thin outline to look heavier.
    Fallback,
}

impl Face {
    /// The name of the font in a page's resources.
    pub fn resource_name(self) -> Name<'static> {
        match self {
            Face::Regular => Name(b"F1"),
            Face::Bold => Name(b"F2"),
            Face::Fallback => Name(b"F3"),
        }
    }
}

/// One character as printed: the font, its glyph in that font, the character it shows and its
/// advance width in thousandths of the font size (from the font's metrics).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    pub face: Face,
    pub id: u16,
    pub character: char,
    pub advance: f32,
}

struct Font {
    name: &'static str,
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
}

impl Font {
    fn parse(name: &'static str, data: &'static [u8]) -> Result<Font, String> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|error| format!("{name}: {error}"))?;
        Ok(Font { name, data, face })
    }

    fn glyph(&self, character: char) -> Option<u16> {
        self.face.glyph_index(character).map(|glyph| glyph.0)
    }

    /// Thousandths of an em, the unit of PDF glyph widths.
    fn to_thousandths(&self, units: f32) -> f32 {
        units * 1000.0 / f32::from(self.face.units_per_em())
    }

    fn advance(&self, glyph: u16) -> f32 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        self.to_thousandths(f32::from(units))
    }
}

/// The three fonts, parsed once.
pub struct FontSet {
    regular: Font,
    bold: Font,
    fallback: Font,
}

static FONTS: LazyLock<Result<FontSet, String>> = LazyLock::new(|| {
    Ok(FontSet {
        regular: Font::parse("DejaVuSans", DEJAVU_SANS)?,
        bold: Font::parse("DejaVuSans-Bold", DEJAVU_SANS_BOLD)?,
        fallback: Font::parse("DroidSansFallback", DROID_SANS_FALLBACK)?,
    })
});

impl FontSet {
    /// The embedded fonts. They are fixed at compile time and a unit test parses them, so the
    /// error only tells a broken build apart.
    pub fn get() -> Result<&'static FontSet, &'static str> {
        FONTS.as_ref().map_err(String::as_str)
    }

    fn font(&self, face: Face) -> &Font {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
            Face::Fallback => &self.fallback,
        }
    }

    /// One glyph per character, from the bold or regular font when it has the character, else
    /// from the fallback, else a `?`. Line breaks and tabs print as spaces.
    pub fn glyphs(&self, bold: bool, text: &str) -> Vec<Glyph> {
        let primary = if bold { Face::Bold } else { Face::Regular };
        text.chars()
            .map(|character| {
                let character = if character.is_control() {
                    ' '
                } else {
                    character
                };
                self.glyph(primary, character)
                    .or_else(|| self.glyph(Face::Fallback, character))
                    .or_else(|| self.glyph(primary, REPLACEMENT))
                    .unwrap_or(Glyph {
                        face: primary,
                        id: 0,
                        character: REPLACEMENT,
                        advance: self.font(primary).advance(0),
                    })
            })
            .collect()
    }

    fn glyph(&self, face: Face, character: char) -> Option<Glyph> {
        let font = self.font(face);
        let id = font.glyph(character)?;
        Some(Glyph {
            face,
            id,
            character,
            advance: font.advance(id),
        })
    }
}

/// The glyphs a document uses, per font, numbered in the order of first use: the subset fonts
/// hold exactly these, and the page content addresses them by their new number.
#[derive(Default)]
pub struct GlyphUse {
    faces: BTreeMap<Face, FaceUse>,
}

#[derive(Default)]
struct FaceUse {
    remapper: GlyphRemapper,
    /// The character each new glyph number shows (for the ToUnicode map).
    characters: BTreeMap<u16, char>,
}

impl GlyphUse {
    /// The glyph's number in its subset font, recording it on first use.
    pub fn encode(&mut self, glyph: Glyph) -> u16 {
        let face = self.faces.entry(glyph.face).or_default();
        let new_id = face.remapper.remap(glyph.id);
        face.characters.entry(new_id).or_insert(glyph.character);
        new_id
    }

    #[cfg(test)]
    pub fn faces(&self) -> impl Iterator<Item = Face> + '_ {
        self.faces.keys().copied()
    }

    /// Writes each used font as a Type0 font with Identity-H encoding over a TrueType CIDFont
    /// (CID = glyph number in the subset), its subset font file and its ToUnicode map. Returns
    /// the font dictionary of each face. `next_ref` hands out object numbers.
    pub fn write_fonts(
        &self,
        fonts: &FontSet,
        pdf: &mut Pdf,
        next_ref: &mut impl FnMut() -> Ref,
    ) -> Vec<(Face, Ref)> {
        self.faces
            .iter()
            .map(|(face, used)| {
                let font = fonts.font(*face);
                (*face, write_font(font, used, pdf, next_ref))
            })
            .collect()
    }
}

fn write_font(
    font: &Font,
    used: &FaceUse,
    pdf: &mut Pdf,
    next_ref: &mut impl FnMut() -> Ref,
) -> Ref {
    let type0_ref = next_ref();
    let cid_ref = next_ref();
    let descriptor_ref = next_ref();
    let to_unicode_ref = next_ref();
    let file_ref = next_ref();
    let old_glyphs: Vec<u16> = used.remapper.remapped_gids().collect();
    let base_name = format!("{}+{}", subset_tag(&old_glyphs), font.name);
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(type0_ref)
        .base_font(Name(base_name.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_ref)
        .to_unicode(to_unicode_ref);

    let mut cid = pdf.cid_font(cid_ref);
    cid.subtype(CidFontType::Type2)
        .base_font(Name(base_name.as_bytes()))
        .system_info(system_info)
        .font_descriptor(descriptor_ref)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    let widths: Vec<f32> = old_glyphs.iter().map(|old| font.advance(*old)).collect();
    cid.widths().consecutive(0, widths);
    // pdf-writer closes an object when its writer is dropped.
    drop(cid);

    let face = &font.face;
    let scale = |units: i16| font.to_thousandths(f32::from(units));
    let bounds = face.global_bounding_box();
    let mut descriptor = pdf.font_descriptor(descriptor_ref);
    descriptor
        .name(Name(base_name.as_bytes()))
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            scale(bounds.x_min),
            scale(bounds.y_min),
            scale(bounds.x_max),
            scale(bounds.y_max),
        ))
        .italic_angle(0.0)
        .ascent(scale(face.ascender()))
        .descent(scale(face.descender()))
        .cap_height(scale(face.capital_height().unwrap_or(face.ascender())))
        .stem_v(stem_v(face.weight().to_number()));
    // A font that cannot be subset is left out rather than embedded whole: readers then
    // substitute a font, and the text still extracts through the ToUnicode map.
    match subsetter::subset(font.data, 0, &used.remapper) {
        Ok(subset) => {
            descriptor.font_file2(file_ref);
            drop(descriptor);
            let compressed = super::deflate(&subset);
            pdf.stream(file_ref, &compressed)
                .filter(Filter::FlateDecode)
                .pair(
                    Name(b"Length1"),
                    i32::try_from(subset.len()).unwrap_or(i32::MAX),
                );
        }
        Err(error) => {
            drop(descriptor);
            tracing::error!(font = font.name, %error, "cannot subset the font; leaving it out of the PDF");
        }
    }

    let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), system_info);
    for (new_id, character) in &used.characters {
        cmap.pair(*new_id, *character);
    }
    let cmap = super::deflate(&cmap.finish());
    pdf.cmap(to_unicode_ref, &cmap).filter(Filter::FlateDecode);
    type0_ref
}

/// The usual estimate of the vertical stem width from the weight class.
fn stem_v(weight: u16) -> f32 {
    10.0 + 0.244 * (f32::from(weight) - 50.0)
}

/// Six capital letters derived from the glyph set, as PDF subset font names carry
/// (`ABCDEF+DejaVuSans`). Deterministic, so the same document renders to the same bytes.
fn subset_tag(glyphs: &[u16]) -> String {
    // FNV-1a: stable across Rust versions (unlike DefaultHasher).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for glyph in glyphs {
        for byte in glyph.to_be_bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|index| {
            let letter = (hash >> (index * 5)) % 26;
            char::from(b'A' + u8::try_from(letter).unwrap_or(0))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_fonts_parse_and_cover_the_scripts_we_print() {
        // Proves the three fonts load, and that Polish, Czech, Greek and Cyrillic come from
        // DejaVu while Japanese and Chinese fall back to Droid Sans Fallback.
        let fonts = FontSet::get().unwrap();
        let faces = |bold: bool, text: &str| -> Vec<Face> {
            fonts.glyphs(bold, text).iter().map(|g| g.face).collect()
        };
        for text in ["Zakład Łódź Spółka", "Řeřicha", "Αθήνα", "Москва", "€ – …"]
        {
            assert!(
                faces(false, text).iter().all(|f| *f == Face::Regular),
                "{text}"
            );
            assert!(faces(true, text).iter().all(|f| *f == Face::Bold), "{text}");
        }
        let mixed = fonts.glyphs(false, "株式会社 Tokyo");
        let mixed_faces: Vec<Face> = mixed.iter().map(|g| g.face).collect();
        assert_eq!(&mixed_faces[..4], &[Face::Fallback; 4]);
        assert!(mixed_faces[4..].iter().all(|f| *f == Face::Regular));
        assert!(mixed.iter().all(|g| g.id != 0), "no .notdef glyphs");
    }

    #[test]
    fn characters_no_font_has_print_as_question_marks() {
        // Proves an unprintable character degrades to a visible `?`, and control characters to
        // spaces, instead of an empty box or a broken string.
        let fonts = FontSet::get().unwrap();
        let printed: String = fonts
            .glyphs(false, "a\u{E000}b\nc")
            .iter()
            .map(|g| g.character)
            .collect();
        assert_eq!(printed, "a?b c");
    }

    #[test]
    fn widths_come_from_the_font_metrics() {
        // Proves advances are the hmtx widths scaled to thousandths of an em.
        let fonts = FontSet::get().unwrap();
        let face = ttf_parser::Face::parse(DEJAVU_SANS, 0).unwrap();
        let zero = face.glyph_index('0').unwrap();
        let expected = f32::from(face.glyph_hor_advance(zero).unwrap()) * 1000.0
            / f32::from(face.units_per_em());
        let glyph = fonts.glyphs(false, "0")[0];
        assert!((glyph.advance - expected).abs() < 0.001);
        assert!(fonts.glyphs(false, "W")[0].advance > glyph.advance);
        assert!(
            fonts.glyphs(true, "0")[0].advance > glyph.advance,
            "bold is wider"
        );
    }

    #[test]
    fn glyphs_are_numbered_per_font_in_order_of_first_use() {
        // Proves the subset numbering is compact and stable, with 0 kept for .notdef.
        let fonts = FontSet::get().unwrap();
        let mut used = GlyphUse::default();
        let numbers: Vec<u16> = fonts
            .glyphs(false, "abab東")
            .into_iter()
            .map(|glyph| used.encode(glyph))
            .collect();
        assert_eq!(numbers, [1, 2, 1, 2, 1]);
        assert_eq!(
            used.faces().collect::<Vec<_>>(),
            [Face::Regular, Face::Fallback]
        );
        assert_eq!(subset_tag(&[0, 5, 9]), subset_tag(&[0, 5, 9]));
        assert_eq!(subset_tag(&[0, 5, 9]).len(), 6);
    }
}
