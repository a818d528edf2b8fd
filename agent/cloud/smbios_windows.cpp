#include "agent/cloud/detect.hpp"

#include <windows.h>

#include <vector>

namespace sb::cloud {

namespace {

std::string registry_text(HKEY key, const wchar_t* name) {
    wchar_t buf[256];
    DWORD size = sizeof buf;
    DWORD type = 0;
    if (RegQueryValueExW(key, name, nullptr, &type, reinterpret_cast<BYTE*>(buf), &size) != ERROR_SUCCESS ||
        type != REG_SZ) {
        return {};
    }
    std::wstring w(buf, size / sizeof(wchar_t));
    while (!w.empty() && w.back() == L'\0') {
        w.pop_back();
    }
    int n =
        WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), nullptr, 0, nullptr, nullptr);
    std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
    if (n > 0) {
        WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), out.data(), n, nullptr,
                            nullptr);
    }
    return out;
}

// 'RSMB' as GetSystemFirmwareTable wants it: the four letters big-endian in a DWORD.
constexpr DWORD kRawSmbiosProvider = (DWORD{'R'} << 24) | (DWORD{'S'} << 16) | (DWORD{'M'} << 8) | DWORD{'B'};

// The chassis asset tag is not in the registry: read it from the raw SMBIOS table (structure type 3, the
// string numbered by the byte at offset 8).
std::string chassis_asset_tag() {
    UINT size = GetSystemFirmwareTable(kRawSmbiosProvider, 0, nullptr, 0);
    if (size == 0) {
        return {};
    }
    std::vector<unsigned char> raw(size);
    if (GetSystemFirmwareTable(kRawSmbiosProvider, 0, raw.data(), size) != size || size < 8) {
        return {};
    }
    // RawSMBIOSData: 8 bytes of header, then the table.
    std::size_t pos = 8;
    while (pos + 4 <= raw.size()) {
        unsigned type = raw[pos];
        std::size_t length = raw[pos + 1];
        if (length < 4 || pos + length > raw.size()) {
            return {};
        }
        std::size_t strings = pos + length;
        std::vector<std::string> texts;
        std::size_t end = strings;
        while (end < raw.size()) {
            std::size_t start = end;
            while (end < raw.size() && raw[end] != 0) {
                ++end;
            }
            if (end == start) {
                ++end;  // the empty string that ends the set
                break;
            }
            texts.emplace_back(reinterpret_cast<const char*>(&raw[start]), end - start);
            ++end;
        }
        if (texts.empty()) {
            ++end;  // a structure without strings ends with two zero bytes
        }
        if (type == 3 && length > 8) {
            unsigned index = raw[pos + 8];
            return index >= 1 && index <= texts.size() ? texts[index - 1] : std::string();
        }
        if (type == 127) {
            break;
        }
        pos = end;
    }
    return {};
}

}  // namespace

SmbiosFields read_smbios_platform() {
    SmbiosFields f;
    HKEY key = nullptr;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"HARDWARE\\DESCRIPTION\\System\\BIOS", 0, KEY_READ, &key) ==
        ERROR_SUCCESS) {
        f.sys_vendor = registry_text(key, L"SystemManufacturer");
        f.product_name = registry_text(key, L"SystemProductName");
        f.bios_vendor = registry_text(key, L"BIOSVendor");
        f.bios_version = registry_text(key, L"BIOSVersion");
        f.board_asset_tag.clear();  // not in the registry; AWS is known by its vendor strings
        RegCloseKey(key);
    }
    // Only a Hyper-V guest can be on Azure: the firmware table is read there alone.
    if (f.sys_vendor == "Microsoft Corporation") {
        f.chassis_asset_tag = chassis_asset_tag();
    }
    return f;
}

}  // namespace sb::cloud
