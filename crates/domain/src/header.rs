//! Header normalisation: columns are found by name, however a human spelled the header.

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Lower-cases and drops spaces, underscores and accents, so `Fecha_QC_Metrología` matches `fecha qc metrologia`.
pub fn normalize_header(header: &str) -> String {
    header
        .nfd()
        .filter(|c| !is_combining_mark(*c) && !c.is_whitespace() && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::normalize_header;

    #[test]
    fn ignores_case_spaces_underscores_and_accents() {
        assert_eq!(normalize_header("Fecha_QC_Metrología"), normalize_header("fecha qc metrologia"));
        assert_eq!(normalize_header("  Ocupado_Por "), "ocupadopor");
        assert_eq!(normalize_header("TAG_SPOOL"), "tagspool");
        assert_ne!(normalize_header("Armador"), normalize_header("Soldador"));
    }
}
