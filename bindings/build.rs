//! Compiles the package's Cython modules into this extension library.
//!
//! maturin builds only the PyO3 crate, so the Cython sources are translated here (with the
//! Python interpreter maturin targets, `PYO3_PYTHON`) and linked into the same shared object.
//! `lib.rs` calls each module's `PyInit_*` at import time and registers it in `sys.modules`.
//! Single-phase init (`CYTHON_PEP489_MULTI_PHASE_INIT=0`) makes `PyInit_*` return the module.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// (dotted module name, source path relative to the workspace root)
const CYTHON_MODULES: &[(&str, &str)] =
    &[("ccengine.metrics._pack", "src/ccengine/metrics/_pack.pyx")];

fn python() -> String {
    env::var("PYO3_PYTHON")
        .or_else(|_| env::var("PYTHON_SYS_EXECUTABLE"))
        .unwrap_or_else(|_| "python3".to_owned())
}

fn python_output(args: &[&str]) -> String {
    let out = Command::new(python())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python()));
    assert!(
        out.status.success(),
        "{} {:?} failed:\n{}",
        python(),
        args,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8 output")
        .trim()
        .to_owned()
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let include = python_output(&[
        "-c",
        "import sysconfig; print(sysconfig.get_paths()['include'])",
    ]);
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");

    let mut build = cc::Build::new();
    build
        .include(&include)
        .define("CYTHON_PEP489_MULTI_PHASE_INIT", "0")
        .opt_level(3)
        .warnings(false);
    for (module, source) in CYTHON_MODULES {
        let source = root.join(source);
        println!("cargo:rerun-if-changed={}", source.display());
        let c_file = out_dir.join(format!("{}.c", module.replace('.', "_")));
        let status = Command::new(python())
            .args(["-m", "cython", "-3", "--module-name", module, "-o"])
            .arg(&c_file)
            .arg(&source)
            .status()
            .expect("run cython");
        assert!(status.success(), "cython failed on {}", source.display());
        build.file(&c_file);
    }
    build.compile("ccengine_cython");
}
