#include "agent/cloud/detect.hpp"

#include <fstream>

namespace sb::cloud {

namespace {

std::string read_line(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\n')) {
        line.pop_back();
    }
    return line;
}

bool starts_with(const std::string& text, std::string_view prefix) {
    return text.rfind(prefix, 0) == 0;
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

CloudKind cloud_from_smbios(const SmbiosFields& f) {
    // Azure sets this chassis asset tag on every VM; a Hyper-V VM elsewhere has "Microsoft Corporation" /
    // "Virtual Machine" too, but not the tag.
    if (f.chassis_asset_tag == "7783-7084-3265-9085-8269-3286-77") {
        return CloudKind::azure;
    }
    if (f.sys_vendor == "Amazon EC2" || f.bios_vendor == "Amazon EC2" || contains(f.bios_version, "amazon") ||
        (starts_with(f.board_asset_tag, "i-") && f.board_asset_tag.size() > 2)) {
        return CloudKind::aws;
    }
    if (f.product_name == "Google Compute Engine" || f.sys_vendor == "Google" || f.bios_vendor == "Google") {
        return CloudKind::gcp;
    }
    return CloudKind::none;
}

SmbiosFields read_smbios_dir(const std::filesystem::path& dir) {
    SmbiosFields f;
    f.sys_vendor = read_line(dir / "sys_vendor");
    f.product_name = read_line(dir / "product_name");
    f.bios_vendor = read_line(dir / "bios_vendor");
    f.bios_version = read_line(dir / "bios_version");
    f.chassis_asset_tag = read_line(dir / "chassis_asset_tag");
    f.board_asset_tag = read_line(dir / "board_asset_tag");
    return f;
}

}  // namespace sb::cloud
