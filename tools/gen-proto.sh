#!/usr/bin/env bash
# Regenerates the Swift code for the OTLP protobuf definitions.
#
#   schemas/proto/**/*.proto  ->  Sources/OTLPWire/Generated/*.pb.swift
#
# Run from the repository root: tools/gen-proto.sh
#
# - protoc comes from PATH, or the Debian package protobuf-compiler (installed if missing).
# - protoc-gen-swift is built from the local swift-protobuf mirror at the same version
#   the package depends on, in a temporary directory outside the repository. The built
#   binary is cached in ${KEIRO_TOOLS_CACHE:-~/.cache/keiro}/protoc-gen-swift-<version>
#   so that re-runs are quick; set PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift to use
#   another binary (its version must still match).
#
# The generated code is committed; CI does not run this script.
set -euo pipefail

SWIFT_PROTOBUF_VERSION="1.39.0"
SWIFT_PROTOBUF_MIRROR="${SWIFT_PROTOBUF_MIRROR:-/opt/swift-packages/apple/swift-protobuf.git}"
PROTO_ROOT="schemas/proto"
OUT_DIR="Sources/OTLPWire/Generated"
CACHE_DIR="${KEIRO_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/keiro}"

log() { printf 'gen-proto: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -f Package.swift && -d "$PROTO_ROOT" ]] || die "run from the repository root (tools/gen-proto.sh)"

work="$(mktemp -d "${TMPDIR:-/tmp}/keiro-gen-proto.XXXXXX")"
cleanup() {
    rm -rf "$work"
    # SwiftPM leaves lock files named after the build directory in the temp dir.
    rm -f "${TMPDIR:-/tmp}/${work//\//_}_swift-protobuf_.build"*.lock
}
trap cleanup EXIT

# --- protoc -----------------------------------------------------------------
if ! command -v protoc >/dev/null 2>&1; then
    log "protoc not found; installing the Debian package protobuf-compiler"
    sudo=""
    if [[ "$(id -u)" -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "protoc is missing and we are not root (no sudo either)"
        sudo="sudo"
    fi
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends protobuf-compiler
fi
PROTOC="$(command -v protoc)"
log "using $("$PROTOC" --version) at $PROTOC"

# --- protoc-gen-swift --------------------------------------------------------
plugin_version() { "$1" --version 2>/dev/null | awk '{print $NF}'; }

if [[ -n "${PROTOC_GEN_SWIFT:-}" ]]; then
    PLUGIN="$PROTOC_GEN_SWIFT"
else
    PLUGIN="$CACHE_DIR/protoc-gen-swift-$SWIFT_PROTOBUF_VERSION"
    if [[ ! -x "$PLUGIN" || "$(plugin_version "$PLUGIN")" != "$SWIFT_PROTOBUF_VERSION" ]]; then
        [[ -d "$SWIFT_PROTOBUF_MIRROR" ]] || die "swift-protobuf mirror not found at $SWIFT_PROTOBUF_MIRROR"
        log "building protoc-gen-swift $SWIFT_PROTOBUF_VERSION from $SWIFT_PROTOBUF_MIRROR (takes a few minutes)"
        git -c advice.detachedHead=false clone --quiet --depth 1 --branch "$SWIFT_PROTOBUF_VERSION" \
            "file://$SWIFT_PROTOBUF_MIRROR" "$work/swift-protobuf"
        start=$SECONDS
        (cd "$work/swift-protobuf" && swift build -c release --product protoc-gen-swift)
        built="$(cd "$work/swift-protobuf" && swift build -c release --product protoc-gen-swift --show-bin-path)/protoc-gen-swift"
        log "protoc-gen-swift built in $((SECONDS - start))s"
        mkdir -p "$CACHE_DIR"
        install -m 0755 "$built" "$PLUGIN.tmp.$$"
        mv -f "$PLUGIN.tmp.$$" "$PLUGIN"
    fi
fi
[[ -x "$PLUGIN" ]] || die "protoc-gen-swift not executable: $PLUGIN"
got="$(plugin_version "$PLUGIN")"
[[ "$got" == "$SWIFT_PROTOBUF_VERSION" ]] \
    || die "protoc-gen-swift at $PLUGIN is version '$got', expected $SWIFT_PROTOBUF_VERSION"
log "using protoc-gen-swift $got at $PLUGIN"

# --- well-known types ---------------------------------------------------------
# google/rpc/status.proto imports google/protobuf/any.proto. Debian's protobuf-compiler
# does not ship the well-known .proto files (libprotobuf-dev does), so take them from the
# swift-protobuf mirror at the same tag: exactly the definitions behind SwiftProtobuf's
# Google_Protobuf_Any. They are only an import path; no code is generated for them.
[[ -d "$SWIFT_PROTOBUF_MIRROR" ]] || die "swift-protobuf mirror not found at $SWIFT_PROTOBUF_MIRROR"
mkdir -p "$work/wkt"
git -C "$SWIFT_PROTOBUF_MIRROR" archive "$SWIFT_PROTOBUF_VERSION" Protos/Sources/SwiftProtobuf/google/protobuf \
    | tar -x -C "$work/wkt" --strip-components=3
[[ -f "$work/wkt/google/protobuf/any.proto" ]] || die "google/protobuf/any.proto not found in the mirror"

# --- generate ----------------------------------------------------------------
mapfile -t protos < <(cd "$PROTO_ROOT" && find . -name '*.proto' -printf '%P\n' | LC_ALL=C sort)
[[ ${#protos[@]} -gt 0 ]] || die "no .proto files under $PROTO_ROOT"

mkdir -p "$work/out"
(
    cd "$PROTO_ROOT"
    "$PROTOC" \
        --plugin=protoc-gen-swift="$PLUGIN" \
        --swift_out="$work/out" \
        --swift_opt=Visibility=Public \
        --swift_opt=FileNaming=PathToUnderscores \
        -I . \
        -I "$work/wkt" \
        "${protos[@]}"
)

# Replace the previously generated files (only *.pb.swift; anything else is left alone).
mkdir -p "$OUT_DIR"
find "$OUT_DIR" -maxdepth 1 -name '*.pb.swift' -delete
cp "$work/out"/*.pb.swift "$OUT_DIR"/
log "wrote $(find "$OUT_DIR" -maxdepth 1 -name '*.pb.swift' | wc -l) files to $OUT_DIR:"
find "$OUT_DIR" -maxdepth 1 -name '*.pb.swift' | LC_ALL=C sort | sed 's/^/  /' >&2
