// Windows labels from real engines' /info (Windows Server 2016, 2019, 2022). The parsing itself is
// platform-neutral: this file would pass in the Linux build too.

#include "agent/node/node_labels.hpp"

#include "sb_doctest.hpp"

using namespace sb;

namespace {

// /version of a Windows engine: Os "windows", Arch "amd64".
VersionInfo windows_version(const std::string& engine, const std::string& api, const std::string& kernel) {
    return VersionInfo{engine, api, "1.24", "windows", "amd64", kernel, {}};
}

}  // namespace

TEST_CASE("Windows Server 2016 (build 14393), an early engine without OSVersion") {
    // docker 1.12.2-cs2-ws-beta on Windows Server 2016 Standard.
    auto info = parse_info(nlohmann::json::parse(R"json({
        "ID": "YEEJ:MRKB:2LIJ:N7DN:EU2I:3DND:SI6S:E24M:IF34:6Q2W:R6WL:OBB7",
        "Containers": 0, "Images": 0, "Driver": "windowsfilter",
        "KernelVersion": "10.0 14393 (14393.447.amd64fre.rs1_release_inmarket.161102-0100)",
        "OperatingSystem": "Windows Server 2016 Standard",
        "OSType": "windows", "Architecture": "x86_64", "NCPU": 1, "MemTotal": 4294967296,
        "Name": "QA-Sandbox-77", "ServerVersion": "1.12.2-cs2-ws-beta", "DockerRootDir": "C:\\ProgramData\\docker",
        "Isolation": "process",
        "Swarm": {"NodeID": "", "NodeAddr": "", "LocalNodeState": "inactive", "ControlAvailable": false,
                  "Error": "", "RemoteManagers": null}})json"));
    auto labels = platform_labels(info, windows_version("1.12.2-cs2-ws-beta", "1.25", info.kernel_version));
    CHECK(info.os_type == "windows");
    CHECK(info.name == "QA-Sandbox-77");
    CHECK(windows_build(info) == "14393");
    CHECK(labels ==
          Labels{{"os", "windows"}, {"os.build", "14393"}, {"os.version", "10.0.14393"}, {"arch", "amd64"}});
}

TEST_CASE("Windows Server 2019 (build 17763), Mirantis/Docker EE 19.03 and 20.10 engines") {
    auto info = parse_info(nlohmann::json::parse(R"json({
        "ID": "KQ2W:6YQH:YCRJ:BO5B:KDAU:5R5Y:QS5N:4MGL:YYOE:KKTD:ORQP:RGH4",
        "Driver": "windowsfilter", "Isolation": "process",
        "KernelVersion": "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)",
        "OperatingSystem": "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.3650)",
        "OSVersion": "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)",
        "OSType": "windows", "Architecture": "x86_64", "NCPU": 4, "MemTotal": 17179398144,
        "Name": "swarm-win-0", "ServerVersion": "20.10.9", "DockerRootDir": "C:\\ProgramData\\docker",
        "Swarm": {"NodeID": "x1y2z3", "NodeAddr": "10.0.0.7", "LocalNodeState": "active",
                  "ControlAvailable": false, "Error": "",
                  "RemoteManagers": [{"NodeID": "m1", "Addr": "10.0.0.5:2377"}]}})json"));
    auto labels = platform_labels(info, windows_version("20.10.9", "1.41", info.kernel_version));
    CHECK(labels.at("os") == "windows");
    CHECK(labels.at("os.build") == "17763");
    CHECK(labels.at("os.version") == "10.0.17763");
    CHECK(labels.at("arch") == "amd64");
    CHECK(info.swarm.active());
    REQUIRE(info.swarm.remote_managers.size() == 1);
    CHECK(info.swarm.remote_managers[0].addr == "10.0.0.5:2377");
}

TEST_CASE("Windows Server 2022 (build 20348), with both spellings of OperatingSystem") {
    // A 20.10 engine reads the ReleaseId (2009 on Server 2022); newer engines ask WMI for the caption.
    for (const char* os : {"Windows Server 2022 Datacenter Version 2009 (OS Build 20348.1249)",
                           "Microsoft Windows Server 2022 Datacenter (Build 20348)"}) {
        CAPTURE(os);
        nlohmann::json j = nlohmann::json::parse(R"json({
            "KernelVersion": "10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)",
            "OSVersion": "10.0.20348",
            "OSType": "windows", "Architecture": "x86_64", "Name": "win2022-1", "ServerVersion": "24.0.7",
            "Swarm": {"NodeID": "", "LocalNodeState": "inactive", "ControlAvailable": false,
                      "RemoteManagers": null}})json");
        j["OperatingSystem"] = os;
        auto info = parse_info(j);
        auto labels = platform_labels(info, windows_version("24.0.7", "1.43", info.kernel_version));
        CHECK(labels ==
              Labels{
                  {"os", "windows"}, {"os.build", "20348"}, {"os.version", "10.0.20348"}, {"arch", "amd64"}});
    }
}

TEST_CASE("the build comes from OperatingSystem when the kernel version is unusual") {
    EngineInfo info;
    info.os_type = "windows";
    info.architecture = "x86_64";
    info.operating_system = "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.1879)";
    auto labels = platform_labels(info, VersionInfo{});
    CHECK(labels.at("os.build") == "17763");
    CHECK(labels.at("arch") == "amd64");
}
