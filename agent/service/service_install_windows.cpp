// Windows: `service install` / `service uninstall` through the SCM API: delayed automatic start,
// dependencies, restart on failure, an Event Log source, and a data directory for SYSTEM and Administrators.

#include <windows.h>

#include <aclapi.h>
#include <sddl.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "agent/platform/platform.hpp"
#include "agent/service/scm_windows.hpp"
#include "agent/service/service_host.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"
#include "common/win32.hpp"

namespace sb::service {

namespace {

using scm::fail;
using scm::open_scm;
using scm::query;
using scm::ScHandle;

std::wstring quoted(const std::filesystem::path& p) {
    return L"\"" + p.wstring() + L"\"";
}

// The command line the SCM starts: "C:\...\swarm-bootstrap.exe" run --config "C:\ProgramData\...".
std::wstring binary_path(const InstallOptions& options) {
    std::wstring cmd = quoted(options.executable) + L" run";
    if (!options.config_file.empty()) {
        cmd += L" --config " + quoted(options.config_file);
    }
    return cmd;
}

// REG_MULTI_SZ style: each name NUL-terminated, then one more NUL.
std::wstring dependency_list(const std::vector<std::string>& names) {
    std::wstring out;
    for (const auto& n : names) {
        if (!n.empty()) {
            out += win32::widen(n);
            out.push_back(L'\0');
        }
    }
    out.push_back(L'\0');
    return out;
}

// Polls until the service leaves `pending` or `limit` passes; returns the last status.
SERVICE_STATUS_PROCESS wait_while(SC_HANDLE service, DWORD pending, std::chrono::milliseconds limit) {
    auto until = std::chrono::steady_clock::now() + limit;
    auto s = query(service);
    while (s.dwCurrentState == pending && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        s = query(service);
    }
    return s;
}

const wchar_t* event_log_key_root = L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\";

// Registers the service name as an Event Log source. The .NET Framework's message file maps every event id
// to "%1", so the Event Viewer shows the line itself rather than "description cannot be found".
void register_event_source(const std::string& name) {
    HKEY key = nullptr;
    std::wstring path = event_log_key_root + win32::widen(name);
    if (::RegCreateKeyExW(HKEY_LOCAL_MACHINE, path.c_str(), 0, nullptr, 0, KEY_SET_VALUE, nullptr, &key,
                          nullptr) != ERROR_SUCCESS) {
        log("service").warn("cannot register the Event Log source {}; events will lack their description",
                            name);
        return;
    }
    const std::wstring file = L"%SystemRoot%\\Microsoft.NET\\Framework64\\v4.0.30319\\EventLogMessages.dll";
    ::RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ, reinterpret_cast<const BYTE*>(file.c_str()),
                     static_cast<DWORD>((file.size() + 1) * sizeof(wchar_t)));
    DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    ::RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&types),
                     sizeof types);
    ::RegCloseKey(key);
}

void unregister_event_source(const std::string& name) {
    std::wstring path = event_log_key_root + win32::widen(name);
    ::RegDeleteKeyW(HKEY_LOCAL_MACHINE, path.c_str());
}

// One ChangeServiceConfig2W setting. An SCM that does not know the level (wine knows only some; every Windows
// since Vista knows all of these) gets a warning; any other error ends the install.
bool set_config2(SC_HANDLE service, DWORD level, void* info, const std::string& what, bool required) {
    if (::ChangeServiceConfig2W(service, level, info)) {
        return true;
    }
    DWORD error = ::GetLastError();
    if (!required || error == ERROR_INVALID_LEVEL) {
        log("service").warn("cannot set {}: {}", what, win32::error_text(error));
        return false;
    }
    fail("cannot set " + what, error);
}

// Returns what was configured, for the log: "delayed automatic start, restarts on failure".
std::string configure(SC_HANDLE service) {
    std::wstring description =
        L"Joins this machine's Docker engine to a Docker Swarm, labels the node, and rejoins when it drops "
        L"out.";
    SERVICE_DESCRIPTIONW desc{description.data()};
    set_config2(service, SERVICE_CONFIG_DESCRIPTION, &desc, "the service description", false);
    // Delayed: after the automatic services (docker among them) and the network are up.
    SERVICE_DELAYED_AUTO_START_INFO delayed{TRUE};
    bool is_delayed = set_config2(service, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed,
                                  "delayed automatic start", true);
    // Restart after 5 s, 30 s, then every 60 s; the count starts again after a day without failure.
    SC_ACTION actions[] = {{SC_ACTION_RESTART, 5000}, {SC_ACTION_RESTART, 30000}, {SC_ACTION_RESTART, 60000}};
    SERVICE_FAILURE_ACTIONSW failure{};
    failure.dwResetPeriod = 24 * 60 * 60;
    failure.cActions = static_cast<DWORD>(std::size(actions));
    failure.lpsaActions = actions;
    bool restarts =
        set_config2(service, SERVICE_CONFIG_FAILURE_ACTIONS, &failure, "the failure actions (restart)", true);
    // Also restart when the service stops itself with a non-zero exit code, not only when it crashes.
    SERVICE_FAILURE_ACTIONS_FLAG flag{TRUE};
    set_config2(service, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag, "restart after a non-zero exit", false);
    return std::string(is_delayed ? "delayed automatic start" : "automatic start") +
           (restarts ? ", restarts on failure" : "");
}

void start(SC_HANDLE service, const std::string& name) {
    auto& lg = log("service");
    // While another service is starting, the SCM may answer "database locked" (wine does, right after its
    // boot): try again for up to 30 s.
    auto locked_until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!::StartServiceW(service, 0, nullptr)) {
        DWORD error = ::GetLastError();
        if (error == ERROR_SERVICE_ALREADY_RUNNING) {
            lg.info("{} is already running; restart it to use a new configuration", name);
            return;
        }
        if (error != ERROR_SERVICE_DATABASE_LOCKED || std::chrono::steady_clock::now() > locked_until) {
            fail("cannot start " + name, error);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    auto s = wait_while(service, SERVICE_START_PENDING, std::chrono::seconds(30));
    if (s.dwCurrentState == SERVICE_STOPPED) {
        DWORD code = s.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR ? s.dwServiceSpecificExitCode
                                                                       : s.dwWin32ExitCode;
        throw Failure(ExitCode::internal, name + " stopped right after starting (exit code " +
                                              std::to_string(code) + "); see its log in " +
                                              platform::default_state_path().parent_path().string());
    }
    lg.info("started {}", name);
}

// %ProgramData%\swarm-bootstrap holds the configuration (which may name a token file or a TLS key), the state
// and the log: SYSTEM and Administrators only, nothing inherited from %ProgramData% (where Users may read).
// Files in it, including ones written before, inherit this.
void secure_data_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    PSECURITY_DESCRIPTOR sd = nullptr;
    if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)",
                                                                SDDL_REVISION_1, &sd, nullptr)) {
        fail("cannot build the access list for " + dir.string(), ::GetLastError());
    }
    BOOL present = FALSE;
    BOOL defaulted = FALSE;
    PACL dacl = nullptr;
    ::GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
    std::wstring path = dir.wstring();
    DWORD error = ::SetNamedSecurityInfoW(path.data(), SE_FILE_OBJECT,
                                          DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                                          nullptr, nullptr, dacl, nullptr);
    ::LocalFree(sd);
    if (error != ERROR_SUCCESS) {
        fail("cannot restrict " + dir.string() + " to SYSTEM and Administrators", error);
    }
    log("service").info("{} is for SYSTEM and Administrators only", dir.string());
}

}  // namespace

void install(const InstallOptions& options) {
    auto& lg = log("service");
    if (!options.root.empty()) {
        throw Failure(ExitCode::usage, "--root is for Linux only");
    }
    if (options.executable.empty()) {
        throw Failure(ExitCode::usage, "service install: the executable's path is unknown");
    }
    const std::wstring name = win32::widen(options.name);
    const std::wstring command = binary_path(options);
    const std::wstring depends = dependency_list(options.depends_on);
    std::string depends_text;
    for (const auto& d : options.depends_on) {
        if (!d.empty()) {
            depends_text += (depends_text.empty() ? "" : ", ") + d;
        }
    }
    if (depends_text.empty()) {
        depends_text = "none";
    }
    if (options.dry_run) {
        lg.info(
            "dry run: would install the service {}: {}; delayed automatic start; depends on {}; restart "
            "on failure{}",
            options.name, win32::narrow(command), depends_text, options.start ? "; then start it" : "");
        return;
    }

    auto scm = open_scm(SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
    secure_data_directory(platform::default_config_path().parent_path());
    for (const auto& d : options.depends_on) {
        if (d.empty()) {
            continue;
        }
        ScHandle dep(::OpenServiceW(scm.get(), win32::widen(d).c_str(), SERVICE_QUERY_STATUS));
        if (!dep && ::GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST) {
            throw Failure(ExitCode::usage, "the service would depend on '" + d +
                                               "', which is not installed; install it first, or choose "
                                               "another with --depends-on (or none with --no-depends)");
        }
    }

    // Display names are unique too: a second instance under another name gets its name in brackets.
    const std::wstring display =
        options.name == "swarm-bootstrap" ? L"Swarm Bootstrap" : L"Swarm Bootstrap (" + name + L")";
    ScHandle service(::CreateServiceW(scm.get(), name.c_str(), display.c_str(), SERVICE_ALL_ACCESS,
                                      SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL,
                                      command.c_str(), nullptr, nullptr, depends.c_str(), nullptr, nullptr));
    if (service) {
        lg.info("created the service {}: {}", options.name, win32::narrow(command));
    } else {
        DWORD error = ::GetLastError();
        if (error != ERROR_SERVICE_EXISTS) {
            fail("cannot create the service " + options.name, error);
        }
        // Installing again updates it: an installer can be run twice.
        service = ScHandle(::OpenServiceW(scm.get(), name.c_str(), SERVICE_ALL_ACCESS));
        if (!service) {
            fail("cannot open the service " + options.name, ::GetLastError());
        }
        if (!::ChangeServiceConfigW(service.get(), SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                                    SERVICE_ERROR_NORMAL, command.c_str(), nullptr, nullptr, depends.c_str(),
                                    nullptr, nullptr, display.c_str())) {
            fail("cannot update the service " + options.name, ::GetLastError());
        }
        lg.info("updated the existing service {}: {}", options.name, win32::narrow(command));
    }
    auto configured = configure(service.get());
    register_event_source(options.name);
    lg.info("{}: {}, depends on {}", options.name, configured, depends_text);
    if (options.start) {
        start(service.get(), options.name);
    }
}

void uninstall(const InstallOptions& options) {
    auto& lg = log("service");
    if (!options.root.empty()) {
        throw Failure(ExitCode::usage, "--root is for Linux only");
    }
    const std::wstring name = win32::widen(options.name);
    auto scm = open_scm(SC_MANAGER_CONNECT);
    ScHandle service(::OpenServiceW(scm.get(), name.c_str(), SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE));
    if (!service) {
        DWORD error = ::GetLastError();
        if (error == ERROR_SERVICE_DOES_NOT_EXIST) {
            lg.info("the service {} is not installed; nothing to remove", options.name);
            if (!options.dry_run) {
                unregister_event_source(options.name);
            }
            return;
        }
        fail("cannot open the service " + options.name, error);
    }
    if (options.dry_run) {
        lg.info("dry run: would stop and delete the service {}", options.name);
        return;
    }
    auto s = query(service.get());
    if (s.dwCurrentState != SERVICE_STOPPED) {
        SERVICE_STATUS ignored{};
        if (!::ControlService(service.get(), SERVICE_CONTROL_STOP, &ignored)) {
            DWORD error = ::GetLastError();
            if (error != ERROR_SERVICE_NOT_ACTIVE) {
                fail("cannot stop " + options.name, error);
            }
        }
        s = wait_while(service.get(), SERVICE_STOP_PENDING, std::chrono::seconds(30));
        if (s.dwCurrentState != SERVICE_STOPPED) {
            lg.warn("{} did not stop within 30s; it is removed once it stops", options.name);
        } else {
            lg.info("stopped {}", options.name);
        }
    }
    if (!::DeleteService(service.get())) {
        DWORD error = ::GetLastError();
        if (error != ERROR_SERVICE_MARKED_FOR_DELETE) {
            fail("cannot delete the service " + options.name, error);
        }
    }
    // DeleteService only marks it: the SCM removes it once its process has exited and every handle is closed.
    // Until then installing it again fails (1072), so wait for the removal, as an installer run next expects.
    service = ScHandle();
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    bool removed = false;
    while (!removed && std::chrono::steady_clock::now() < until) {
        ScHandle still(::OpenServiceW(scm.get(), name.c_str(), SERVICE_QUERY_STATUS));
        removed = !still && ::GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST;
        if (!removed) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    unregister_event_source(options.name);
    if (removed) {
        lg.info("removed the service {}", options.name);
    } else {
        lg.warn(
            "the service {} is marked for deletion and goes once every program holding it open (such as the "
            "Services console) closes it",
            options.name);
    }
}

}  // namespace sb::service
