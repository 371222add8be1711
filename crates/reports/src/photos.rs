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

/// Where the photo says it was taken (EXIF GPS), read only on the author's request.
pub fn position_in(_bytes: &[u8]) -> Option<Point> {
    None
}
