//! Documents a customer uploads (M3): what they are, which file types are accepted (by their
//! content, never by their name), how large they may be, and a safe name to keep.

use serde::{Deserialize, Serialize};

use crate::domain::validation::FieldProblem;

/// The largest accepted file: 10 MB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// What a document is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocumentKind {
    IdCopy,
    ProofOfAddress,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 2] = [DocumentKind::IdCopy, DocumentKind::ProofOfAddress];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::IdCopy => "id_copy",
            DocumentKind::ProofOfAddress => "proof_of_address",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a document stands with the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocumentStatus {
    Received,
    Accepted,
    Rejected,
}

impl DocumentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Received => "received",
            DocumentStatus::Accepted => "accepted",
            DocumentStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentStatus> {
        [
            DocumentStatus::Received,
            DocumentStatus::Accepted,
            DocumentStatus::Rejected,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// An accepted file type, recognised by its first bytes (magic numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
}

impl FileType {
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
        }
    }

    pub fn parse_mime(s: &str) -> Option<FileType> {
        [FileType::Pdf, FileType::Jpeg, FileType::Png]
            .into_iter()
            .find(|t| t.mime() == s)
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
        }
    }
}

read_from_text!(DocumentKind, DocumentKind::parse);
read_from_text!(DocumentStatus, DocumentStatus::parse);
read_from_text!(FileType, FileType::parse_mime);

/// How many leading bytes [`sniff`] needs to decide.
pub const SNIFF_BYTES: usize = 8;

/// The type of a file by its content: `%PDF-`, the PNG signature, or a JPEG start-of-image
/// marker. Anything else (an executable renamed `.png`, a text file) is refused.
pub fn sniff(head: &[u8]) -> Option<FileType> {
    if head.starts_with(b"%PDF-") {
        Some(FileType::Pdf)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(FileType::Png)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileType::Jpeg)
    } else {
        None
    }
}

/// Checks a complete upload: not empty, not above [`MAX_BYTES`], of an accepted type.
pub fn check_file(bytes: &[u8]) -> Result<FileType, FieldProblem> {
    if bytes.is_empty() {
        return Err(FieldProblem::FileEmpty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(FieldProblem::FileTooLarge);
    }
    sniff(bytes).ok_or(FieldProblem::FileType)
}

/// The name to keep and to offer on download: the last path segment of what the browser sent,
/// without control characters, quotes or separators, at most 100 characters, with the
/// extension of the detected type; "document" when nothing is left.
pub fn safe_file_name(raw: &str, file_type: FileType) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = last.rsplit_once('.').map_or(last, |(stem, _)| stem);
    let clean: String = stem
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';' | '<' | '>' | '%'))
        .take(100)
        .collect();
    let clean = clean.trim();
    let stem = if clean.is_empty() { "document" } else { clean };
    format!("{stem}.{}", file_type.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(FileType::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some(FileType::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(FileType::Jpeg));
        assert_eq!(sniff(b"MZ\x90\0"), None, "a Windows executable");
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(check_file(b""), Err(FieldProblem::FileEmpty));
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_BYTES + 1, b' ');
        assert_eq!(check_file(&big), Err(FieldProblem::FileTooLarge));
        big.truncate(MAX_BYTES);
        assert_eq!(check_file(&big), Ok(FileType::Pdf));
        assert_eq!(check_file(b"MZ renamed.png"), Err(FieldProblem::FileType));
    }

    #[test]
    fn names() {
        assert_eq!(
            safe_file_name("C:\\Users\\a\\id card.PNG", FileType::Png),
            "id card.png"
        );
        assert_eq!(
            safe_file_name("../../etc/passwd", FileType::Pdf),
            "passwd.pdf"
        );
        assert_eq!(safe_file_name("x\".jpg\"; evil", FileType::Jpeg), "x.jpg");
        assert_eq!(safe_file_name("", FileType::Pdf), "document.pdf");
        assert_eq!(safe_file_name("facture.exe", FileType::Png), "facture.png");
    }
}
