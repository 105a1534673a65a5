#!/bin/sh
# Install the system packages letters needs (OCR, PDF rendering, a browser for the tests), if missing.
set -eu
NEEDED="tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng chromium poppler-utils fonts-dejavu-core"
missing=""
for pkg in $NEEDED; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "letters needs these system packages:$missing. Install them with your package manager." >&2
    exit 1
fi
if [ "$(id -u)" = 0 ]; then SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"
else
    echo "letters needs these system packages:$missing." >&2
    echo "Install them as root:  apt-get install -y$missing" >&2
    exit 1
fi
echo "Installing system packages:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
