//! Generates include/ossc.h from src/ffi with cbindgen. The header is committed; CI rebuilds
//! and fails if it changed. Written only when its text changes, so builds stay incremental.

fn main() {
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build.rs");
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let config =
        cbindgen::Config::from_file(format!("{dir}/cbindgen.toml")).expect("cbindgen.toml");
    let bindings = match cbindgen::Builder::new()
        .with_crate(&dir)
        .with_config(config)
        .generate()
    {
        Ok(b) => b,
        Err(e) => panic!("cbindgen could not generate include/ossc.h: {e}"),
    };
    let mut text = Vec::new();
    bindings.write(&mut text);
    let path = format!("{dir}/include/ossc.h");
    if std::fs::read(&path).ok().as_deref() != Some(&text[..]) {
        std::fs::create_dir_all(format!("{dir}/include")).expect("include dir");
        std::fs::write(&path, &text).expect("write include/ossc.h");
    }
}
