#pragma once

// `--cloud auto`: which cloud, from the firmware's SMBIOS strings alone. No network request: on a machine
// outside any cloud, auto costs a few small file (or registry) reads and nothing else.

#include <filesystem>
#include <string>

#include "agent/cloud/cloud.hpp"

namespace sb::cloud {

// The SMBIOS strings the clouds set (Linux names them as in /sys/class/dmi/id/).
struct SmbiosFields {
    std::string sys_vendor;         // "Microsoft Corporation", "Amazon EC2", "Google"
    std::string product_name;       // "Virtual Machine", "Google Compute Engine", "m5.large"
    std::string bios_vendor;        // "Amazon EC2", "Google"
    std::string bios_version;       // "4.11.amazon" on the Xen generation
    std::string chassis_asset_tag;  // Azure's 7783-7084-3265-9085-8269-3286-77
    std::string board_asset_tag;    // the instance id "i-0af0..." on AWS Nitro
};

CloudKind cloud_from_smbios(const SmbiosFields& fields);

// The fields as files in `dir`, named as Linux names them (a missing file reads as empty).
SmbiosFields read_smbios_dir(const std::filesystem::path& dir);

// This machine's fields: /sys/class/dmi/id on Linux, the registry and the firmware table on Windows.
SmbiosFields read_smbios_platform();

// `dmi_dir` empty: this machine's fields.
inline CloudKind detect_cloud(const std::filesystem::path& dmi_dir) {
    return cloud_from_smbios(dmi_dir.empty() ? read_smbios_platform() : read_smbios_dir(dmi_dir));
}

}  // namespace sb::cloud
