//! Release record decoding on arbitrary bytes, raw and gzip'd (so the JSON layer is reached):
//! decoding never panics, and whatever decodes encodes back to a record that decodes again, to
//! the same release (floats in values may round differently, so identity is compared, not every
//! value).
#![no_main]

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use libfuzzer_sys::fuzz_target;
use todoctl::release::{decode, encode};

fn check(bytes: &[u8]) {
    match decode(bytes) {
        Ok(release) => {
            let again = decode(&encode(&release)).expect("a re-encoded record decodes");
            assert_eq!(
                (again.format, &again.name, again.revision, again.status),
                (
                    release.format,
                    &release.name,
                    release.revision,
                    release.status
                ),
                "a record changed through encode and decode"
            );
            assert_eq!(again.manifest.len(), release.manifest.len());
        }
        Err(err) => {
            assert!(!err.to_string().is_empty());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(data).expect("gzip into memory");
    check(&gz.finish().expect("gzip into memory"));
});
