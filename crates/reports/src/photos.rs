//! Photos of reports: type-checked, re-encoded, stripped of every metadata (EXIF, GPS,
//! device) before storage. The position written in a photo is read only when the author
//! asks for it.
//!
//! Stripping works by construction: the pixels are decoded and a new file is written from
//! them alone, so nothing of the original container (EXIF, XMP, ICC profile, comments,
//! maker notes, thumbnails) can survive, whatever segments or chunks it held.

use std::io::Cursor;

use exif::{In, Tag, Value};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageError, ImageFormat, ImageReader, Limits, RgbImage};
use kernel::storage::{UploadPolicy, UploadRefused, check_upload};

use crate::model::Point;

/// A photo ready to store: re-encoded pixels only.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanPhoto {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

impl CleanPhoto {
    pub fn extension(&self) -> &'static str {
        match self.content_type {
            "image/png" => "png",
            "image/webp" => "webp",
            _ => "jpg",
        }
    }
}

/// What a resident may send as a photo, detected from the content.
pub const PHOTO_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp"];

/// Longest side of a stored photo: enough to see a pothole or read a sign, and a few
/// hundred kilobytes instead of a phone's ten megabytes.
pub const MAX_SIDE: u32 = 2000;

/// Beyond this many pixels on a side the picture is refused before decoding: a small
/// file can announce a gigantic image and exhaust the server's memory.
pub const MAX_DECODED_SIDE: u32 = 16_384;

/// Memory the decoder may use for one photo (a 48-megapixel phone photo needs ~150 MB).
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;

const JPEG_QUALITY: u8 = 85;

/// Why a photo is refused, in words a resident understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("La photo est vide : choisissez à nouveau le fichier.")]
    Empty,
    #[error("La photo dépasse la taille maximale de {max_mb} Mo.")]
    TooLarge { max_mb: u64 },
    #[error("Ce fichier n'est pas une photo. Formats acceptés : JPEG, PNG, WebP.")]
    NotAnImage,
    #[error(
        "La photo est trop grande en pixels (plus de {MAX_DECODED_SIDE} pixels de côté) : réduisez-la avant de l'envoyer."
    )]
    TooManyPixels,
    #[error(
        "La photo est illisible : le fichier est peut-être abîmé. Essayez avec une autre photo."
    )]
    Unreadable,
}

impl From<UploadRefused> for PhotoError {
    fn from(refused: UploadRefused) -> PhotoError {
        match refused {
            UploadRefused::Empty => PhotoError::Empty,
            UploadRefused::TooLarge { max_mb } => PhotoError::TooLarge { max_mb },
            UploadRefused::TypeNotAllowed { .. } => PhotoError::NotAnImage,
        }
    }
}

/// `clean` on a blocking thread: decoding a large photo takes CPU time that must not hold
/// up the server's other requests and live events.
pub async fn clean_async(bytes: Vec<u8>, max_bytes: u64) -> Result<CleanPhoto, PhotoError> {
    tokio::task::spawn_blocking(move || clean(&bytes, max_bytes))
        .await
        .unwrap_or(Err(PhotoError::Unreadable))
}

/// Checks, decodes, turns upright, downscales and re-encodes a photo. JPEG and WebP become
/// JPEG, PNG stays PNG (screenshots and drawings keep their sharp edges). Pure.
pub fn clean(bytes: &[u8], max_bytes: u64) -> Result<CleanPhoto, PhotoError> {
    let policy = UploadPolicy {
        max_bytes,
        allowed: PHOTO_TYPES,
    };
    let format = match check_upload(bytes, &policy)? {
        "image/png" => ImageFormat::Png,
        "image/webp" => ImageFormat::WebP,
        _ => ImageFormat::Jpeg,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODED_SIDE);
    limits.max_image_height = Some(MAX_DECODED_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut image = reader.decode().map_err(|e| match e {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        _ => PhotoError::Unreadable,
    })?;
    // Phones store portrait photos sideways with an orientation tag; once the tag is gone
    // the pixels themselves must be upright.
    if let Some(orientation) = orientation_in(bytes) {
        image.apply_orientation(orientation);
    }
    if image.width().max(image.height()) > MAX_SIDE {
        image = image.thumbnail(MAX_SIDE, MAX_SIDE);
    }
    let (width, height) = (image.width(), image.height());
    let mut out = Vec::new();
    let content_type = if format == ImageFormat::Png {
        image
            .write_with_encoder(PngEncoder::new(&mut out))
            .map_err(|_| PhotoError::Unreadable)?;
        "image/png"
    } else {
        JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
            .encode_image(&on_white(&image))
            .map_err(|_| PhotoError::Unreadable)?;
        "image/jpeg"
    };
    Ok(CleanPhoto {
        bytes: out,
        content_type,
        width,
        height,
    })
}

/// JPEG has no transparency: transparent parts of a WebP become white, as they look on
/// the page, rather than the black of discarded alpha.
fn on_white(image: &DynamicImage) -> RgbImage {
    if !image.has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

fn exif_of(bytes: &[u8]) -> Option<exif::Exif> {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()
}

/// The EXIF orientation tag, when present and meaningful.
fn orientation_in(bytes: &[u8]) -> Option<Orientation> {
    let exif = exif_of(bytes)?;
    let value = exif
        .get_field(Tag::Orientation, In::PRIMARY)?
        .value
        .get_uint(0)?;
    Orientation::from_exif(u8::try_from(value).ok()?)
}

/// Where the photo says it was taken (EXIF GPS), read only on the author's request.
pub fn position_in(bytes: &[u8]) -> Option<Point> {
    let exif = exif_of(bytes)?;
    let lat = coordinate(&exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'N', b'S')?;
    let lon = coordinate(&exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, b'E', b'W')?;
    // Cameras without a fix sometimes write zeros: a point in the Gulf of Guinea is
    // certainly not where a resident photographed a pothole.
    if lat == 0.0 && lon == 0.0 {
        return None;
    }
    Point::new(lat, lon)
}

/// Degrees, minutes and seconds (some writers give only degrees, or degrees and decimal
/// minutes), signed by the hemisphere reference.
fn coordinate(
    exif: &exif::Exif,
    value: Tag,
    reference: Tag,
    positive: u8,
    negative: u8,
) -> Option<f64> {
    let Value::Rational(parts) = &exif.get_field(value, In::PRIMARY)?.value else {
        return None;
    };
    if parts.is_empty() || parts.iter().take(3).any(|r| r.denom == 0) {
        return None;
    }
    let magnitude: f64 = parts
        .iter()
        .take(3)
        .zip([1.0, 60.0, 3600.0])
        .map(|(r, unit)| r.to_f64() / unit)
        .sum();
    let Value::Ascii(texts) = &exif.get_field(reference, In::PRIMARY)?.value else {
        return None;
    };
    let hemisphere = texts.first()?.first()?.to_ascii_uppercase();
    if hemisphere == positive {
        Some(magnitude)
    } else if hemisphere == negative {
        Some(-magnitude)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GenericImageView, ImageEncoder, Rgb};
    use proptest::prelude::*;

    const LIMIT: u64 = 10 * 1024 * 1024;

    // ----- a minimal EXIF (TIFF, little endian) writer, so tests need no sample files

    struct Entry {
        tag: u16,
        kind: u16,
        count: u32,
        data: Vec<u8>,
    }

    fn ascii(tag: u16, text: &str) -> Entry {
        let mut data = text.as_bytes().to_vec();
        data.push(0);
        Entry {
            tag,
            kind: 2,
            count: data.len() as u32,
            data,
        }
    }

    fn short(tag: u16, value: u16) -> Entry {
        Entry {
            tag,
            kind: 3,
            count: 1,
            data: value.to_le_bytes().to_vec(),
        }
    }

    fn long(tag: u16, value: u32) -> Entry {
        Entry {
            tag,
            kind: 4,
            count: 1,
            data: value.to_le_bytes().to_vec(),
        }
    }

    fn rationals(tag: u16, values: &[(u32, u32)]) -> Entry {
        let data = values
            .iter()
            .flat_map(|(n, d)| n.to_le_bytes().into_iter().chain(d.to_le_bytes()))
            .collect();
        Entry {
            tag,
            kind: 5,
            count: values.len() as u32,
            data,
        }
    }

    fn padded(len: usize) -> usize {
        len + len % 2
    }

    fn ifd_len(entries: &[Entry]) -> usize {
        2 + 12 * entries.len()
            + 4
            + entries
                .iter()
                .filter(|e| e.data.len() > 4)
                .map(|e| padded(e.data.len()))
                .sum::<usize>()
    }

    /// One IFD at `start` (offset from the TIFF header), its long values right after it.
    fn ifd(entries: &[Entry], start: usize) -> Vec<u8> {
        let mut head = (entries.len() as u16).to_le_bytes().to_vec();
        let mut extra = Vec::new();
        let mut data_offset = start + 2 + 12 * entries.len() + 4;
        for e in entries {
            head.extend(e.tag.to_le_bytes());
            head.extend(e.kind.to_le_bytes());
            head.extend(e.count.to_le_bytes());
            if e.data.len() <= 4 {
                let mut inline = e.data.clone();
                inline.resize(4, 0);
                head.extend(inline);
            } else {
                head.extend((data_offset as u32).to_le_bytes());
                extra.extend(&e.data);
                extra.resize(padded(extra.len()), 0);
                data_offset += padded(e.data.len());
            }
        }
        head.extend(0u32.to_le_bytes());
        head.extend(extra);
        head
    }

    fn tiff(mut primary: Vec<Entry>, gps: Vec<Entry>) -> Vec<u8> {
        if !gps.is_empty() {
            primary.push(long(0x8825, 0));
        }
        primary.sort_by_key(|e| e.tag);
        let gps_offset = 8 + ifd_len(&primary);
        if let Some(pointer) = primary.iter_mut().find(|e| e.tag == 0x8825) {
            pointer.data = (gps_offset as u32).to_le_bytes().to_vec();
        }
        let mut out = b"II*\0".to_vec();
        out.extend(8u32.to_le_bytes());
        out.extend(ifd(&primary, 8));
        if !gps.is_empty() {
            out.extend(ifd(&gps, gps_offset));
        }
        out
    }

    /// What a phone writes: device, orientation, and the place near the town hall.
    fn phone_exif(orientation: u16, lat_ref: &str, lon_ref: &str) -> Vec<u8> {
        tiff(
            vec![
                ascii(0x010F, "PhoneMaker"),
                ascii(0x0110, "Model X200 Pro"),
                short(0x0112, orientation),
                ascii(0x0131, "CameraSoft 4.2"),
            ],
            vec![
                ascii(0x0001, lat_ref),
                rationals(0x0002, &[(45, 1), (45, 1), (5076, 100)]),
                ascii(0x0003, lon_ref),
                rationals(0x0004, &[(4, 1), (50, 1), (852, 100)]),
            ],
        )
    }

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, marker];
        out.extend(((payload.len() + 2) as u16).to_be_bytes());
        out.extend(payload);
        out
    }

    /// Left half red, right half blue: a rotation shows in where the colours end up.
    fn two_colours(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                Rgb([230, 20, 20])
            } else {
                Rgb([20, 20, 230])
            }
        })
    }

    fn jpeg(image: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(image)
            .unwrap();
        out
    }

    /// A JPEG as a phone sends it: EXIF with GPS and device, XMP, an ICC profile, a comment.
    fn phone_jpeg(image: &RgbImage, orientation: u16) -> Vec<u8> {
        let plain = jpeg(image);
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(phone_exif(orientation, "N", "E"));
        let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
        xmp.extend(b"<x:xmpmeta><tiff:Make>PhoneMaker</tiff:Make></x:xmpmeta>");
        let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
        icc.extend(b"Display P3 of PhoneMaker");
        let mut out = plain[..2].to_vec();
        out.extend(segment(0xE1, &exif));
        out.extend(segment(0xE1, &xmp));
        out.extend(segment(0xE2, &icc));
        out.extend(segment(0xFE, b"Taken by Camille at home"));
        out.extend(&plain[2..]);
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
        out
    }

    fn png(image: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(
                image.as_raw(),
                image.width(),
                image.height(),
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    /// A PNG with EXIF (GPS, device) and a text comment after its header chunk.
    fn png_with_metadata(image: &RgbImage) -> Vec<u8> {
        let plain = png(image);
        // Signature (8) and IHDR (4 + 4 + 13 + 4).
        let header_end = 8 + 25;
        let mut out = plain[..header_end].to_vec();
        out.extend(png_chunk(b"eXIf", &phone_exif(1, "N", "E")));
        out.extend(png_chunk(b"tEXt", b"Comment\0Taken by Camille at home"));
        out.extend(&plain[header_end..]);
        out
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn assert_no_metadata(bytes: &[u8]) {
        for needle in [
            &b"Exif"[..],
            b"eXIf",
            b"PhoneMaker",
            b"Model X200",
            b"CameraSoft",
            b"xmpmeta",
            b"ns.adobe.com",
            b"ICC_PROFILE",
            b"iCCP",
            b"tEXt",
            b"Camille",
        ] {
            assert!(
                !contains(bytes, needle),
                "{:?} survived",
                String::from_utf8_lossy(needle)
            );
        }
        assert!(exif_of(bytes).is_none(), "an EXIF block survived");
        assert_eq!(position_in(bytes), None);
    }

    fn is_red(p: Rgb<u8>) -> bool {
        p.0[0] > 150 && p.0[2] < 100
    }

    fn is_blue(p: Rgb<u8>) -> bool {
        p.0[2] > 150 && p.0[0] < 100
    }

    #[test]
    fn the_test_photo_really_carries_metadata() {
        // Guards the other tests: what they prove absent is present in the input.
        let input = phone_jpeg(&two_colours(40, 20), 1);
        assert!(contains(&input, b"PhoneMaker"));
        let exif = exif_of(&input).expect("readable EXIF");
        assert!(exif.get_field(Tag::Make, In::PRIMARY).is_some());
        assert!(exif.get_field(Tag::GPSLatitude, In::PRIMARY).is_some());
        assert_eq!(orientation_in(&input), Some(Orientation::NoTransforms));
    }

    #[test]
    fn a_jpeg_loses_every_metadata_and_still_decodes() {
        let input = phone_jpeg(&two_colours(40, 20), 1);
        let clean = clean(&input, LIMIT).unwrap();
        assert_eq!(clean.content_type, "image/jpeg");
        assert_eq!(clean.extension(), "jpg");
        assert_eq!((clean.width, clean.height), (40, 20));
        assert_no_metadata(&clean.bytes);
        let decoded = image::load_from_memory_with_format(&clean.bytes, ImageFormat::Jpeg)
            .unwrap()
            .to_rgb8();
        assert_eq!(decoded.dimensions(), (40, 20));
        assert!(is_red(*decoded.get_pixel(5, 10)));
        assert!(is_blue(*decoded.get_pixel(35, 10)));
    }

    #[test]
    fn a_png_stays_png_without_its_metadata() {
        let input = png_with_metadata(&two_colours(30, 12));
        assert!(position_in(&input).is_some(), "the input carries GPS");
        let clean = clean(&input, LIMIT).unwrap();
        assert_eq!(clean.content_type, "image/png");
        assert_eq!(clean.extension(), "png");
        assert_no_metadata(&clean.bytes);
        let decoded = image::load_from_memory_with_format(&clean.bytes, ImageFormat::Png)
            .unwrap()
            .to_rgb8();
        assert_eq!(decoded, two_colours(30, 12), "PNG is lossless");
    }

    #[test]
    fn a_webp_becomes_a_jpeg_with_transparency_on_white() {
        let image = image::RgbaImage::from_fn(16, 8, |x, _| {
            if x < 8 {
                image::Rgba([0, 0, 0, 0])
            } else {
                image::Rgba([20, 20, 230, 255])
            }
        });
        let mut input = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut input)
            .encode(image.as_raw(), 16, 8, image::ExtendedColorType::Rgba8)
            .unwrap();
        let clean = clean(&input, LIMIT).unwrap();
        assert_eq!(clean.content_type, "image/jpeg");
        let decoded = image::load_from_memory(&clean.bytes).unwrap().to_rgb8();
        let transparent = decoded.get_pixel(2, 4).0;
        assert!(transparent.iter().all(|c| *c > 200), "{transparent:?}");
        assert!(is_blue(*decoded.get_pixel(13, 4)));
    }

    #[test]
    fn orientation_6_turns_the_photo_upright() {
        // Stored sideways (40 × 20, red on the left) with "rotate 90° clockwise to view".
        let input = phone_jpeg(&two_colours(40, 20), 6);
        assert_eq!(orientation_in(&input), Some(Orientation::Rotate90));
        let clean = clean(&input, LIMIT).unwrap();
        assert_eq!((clean.width, clean.height), (20, 40));
        let decoded = image::load_from_memory(&clean.bytes).unwrap().to_rgb8();
        assert_eq!(decoded.dimensions(), (20, 40));
        // Turned clockwise, the left side is now the top.
        assert!(is_red(*decoded.get_pixel(10, 5)));
        assert!(is_blue(*decoded.get_pixel(10, 35)));
        assert_no_metadata(&clean.bytes);
    }

    #[test]
    fn orientation_3_turns_it_half_way() {
        let input = phone_jpeg(&two_colours(40, 20), 3);
        let clean = clean(&input, LIMIT).unwrap();
        assert_eq!((clean.width, clean.height), (40, 20));
        let decoded = image::load_from_memory(&clean.bytes).unwrap().to_rgb8();
        assert!(is_blue(*decoded.get_pixel(5, 10)));
        assert!(is_red(*decoded.get_pixel(35, 10)));
    }

    #[test]
    fn the_gps_position_is_read_with_its_hemispheres() {
        let north_east = phone_jpeg(&two_colours(8, 8), 1);
        let p = position_in(&north_east).expect("a position");
        assert!((p.lat - 45.7641).abs() < 1e-6, "{p:?}");
        assert!((p.lon - 4.8357).abs() < 1e-6, "{p:?}");

        let plain = jpeg(&two_colours(8, 8));
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(phone_exif(1, "S", "W"));
        let mut south_west = plain[..2].to_vec();
        south_west.extend(segment(0xE1, &exif));
        south_west.extend(&plain[2..]);
        let p = position_in(&south_west).expect("a position");
        assert!((p.lat + 45.7641).abs() < 1e-6, "{p:?}");
        assert!((p.lon + 4.8357).abs() < 1e-6, "{p:?}");
    }

    #[test]
    fn no_position_without_gps_or_with_a_bad_one() {
        assert_eq!(position_in(&jpeg(&two_colours(8, 8))), None);
        assert_eq!(position_in(b"not an image at all"), None);
        let with_gps = |gps: Vec<Entry>| {
            let plain = jpeg(&two_colours(8, 8));
            let mut exif = b"Exif\0\0".to_vec();
            exif.extend(tiff(vec![ascii(0x010F, "PhoneMaker")], gps));
            let mut out = plain[..2].to_vec();
            out.extend(segment(0xE1, &exif));
            out.extend(&plain[2..]);
            out
        };
        // A device without a fix.
        let zeros = with_gps(vec![
            ascii(0x0001, "N"),
            rationals(0x0002, &[(0, 1), (0, 1), (0, 1)]),
            ascii(0x0003, "E"),
            rationals(0x0004, &[(0, 1), (0, 1), (0, 1)]),
        ]);
        assert_eq!(position_in(&zeros), None);
        // A division by zero in the rationals.
        let broken = with_gps(vec![
            ascii(0x0001, "N"),
            rationals(0x0002, &[(45, 0), (0, 1), (0, 1)]),
            ascii(0x0003, "E"),
            rationals(0x0004, &[(4, 1), (0, 1), (0, 1)]),
        ]);
        assert_eq!(position_in(&broken), None);
        // A latitude beyond the pole.
        let beyond = with_gps(vec![
            ascii(0x0001, "N"),
            rationals(0x0002, &[(95, 1), (0, 1), (0, 1)]),
            ascii(0x0003, "E"),
            rationals(0x0004, &[(4, 1), (0, 1), (0, 1)]),
        ]);
        assert_eq!(position_in(&beyond), None);
        // No hemisphere reference.
        let no_reference = with_gps(vec![
            rationals(0x0002, &[(45, 1), (0, 1), (0, 1)]),
            rationals(0x0004, &[(4, 1), (0, 1), (0, 1)]),
        ]);
        assert_eq!(position_in(&no_reference), None);
    }

    #[test]
    fn documents_and_text_are_refused() {
        let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n";
        assert_eq!(clean(pdf, LIMIT), Err(PhotoError::NotAnImage));
        assert_eq!(
            clean("Bonjour, voici ma photo.".as_bytes(), LIMIT),
            Err(PhotoError::NotAnImage)
        );
        // A GIF is an image, but not one of the accepted formats.
        assert_eq!(
            clean(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", LIMIT),
            Err(PhotoError::NotAnImage)
        );
        assert_eq!(clean(b"", LIMIT), Err(PhotoError::Empty));
        let photo = jpeg(&two_colours(8, 8));
        assert_eq!(clean(&photo, 100), Err(PhotoError::TooLarge { max_mb: 1 }));
        let message = PhotoError::NotAnImage.to_string();
        assert!(message.contains("JPEG, PNG, WebP"), "{message}");
    }

    #[test]
    fn a_truncated_photo_is_unreadable() {
        let photo = jpeg(&two_colours(64, 64));
        assert_eq!(
            clean(&photo[..photo.len() / 3], LIMIT),
            Err(PhotoError::Unreadable)
        );
    }

    #[test]
    fn huge_dimensions_are_downscaled_to_the_longest_side() {
        // A flat PNG compresses to almost nothing whatever its size.
        let wide = RgbImage::from_pixel(5000, 1250, Rgb([90, 140, 60]));
        let clean_wide = clean(&png(&wide), LIMIT).unwrap();
        assert_eq!((clean_wide.width, clean_wide.height), (2000, 500));
        let decoded = image::load_from_memory(&clean_wide.bytes).unwrap();
        assert_eq!(decoded.dimensions(), (2000, 500));

        let tall = two_colours(1200, 3000);
        let clean_tall = clean(&jpeg(&tall), LIMIT).unwrap();
        assert_eq!((clean_tall.width, clean_tall.height), (800, 2000));

        // Small photos keep their size.
        let small = clean(&jpeg(&two_colours(1999, 10)), LIMIT).unwrap();
        assert_eq!((small.width, small.height), (1999, 10));
    }

    #[test]
    fn an_image_announcing_gigantic_dimensions_is_refused_before_decoding() {
        let mut bomb = png(&two_colours(4, 4));
        // Rewrite IHDR's width and height to 100,000 × 100,000 with a valid checksum.
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(clean(&bomb, LIMIT), Err(PhotoError::TooManyPixels));
    }

    fn sample_photos() -> Vec<Vec<u8>> {
        vec![
            phone_jpeg(&two_colours(24, 16), 6),
            png_with_metadata(&two_colours(24, 16)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn clean_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = clean(&bytes, LIMIT);
            let _ = position_in(&bytes);
        }

        #[test]
        fn clean_never_panics_behind_an_image_signature(
            which in 0usize..3,
            tail in proptest::collection::vec(any::<u8>(), 0..2048),
        ) {
            let mut bytes = match which {
                0 => vec![0xFF, 0xD8, 0xFF, 0xE0],
                1 => b"\x89PNG\r\n\x1a\n".to_vec(),
                _ => b"RIFF\x00\x10\x00\x00WEBPVP8 ".to_vec(),
            };
            bytes.extend(tail);
            let _ = clean(&bytes, LIMIT);
            let _ = position_in(&bytes);
        }

        #[test]
        fn clean_never_panics_on_damaged_photos(
            which in 0usize..2,
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = sample_photos().swap_remove(which);
            for (at, value) in flips {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            bytes.truncate(cut.index(bytes.len()) + 1);
            if let Ok(photo) = clean(&bytes, LIMIT) {
                // Whatever survived decoding, the output carries no metadata.
                prop_assert!(exif_of(&photo.bytes).is_none());
                prop_assert!(!contains(&photo.bytes, b"PhoneMaker"));
            }
            let _ = position_in(&bytes);
        }
    }
}
