// Windows: paths under %ProgramData%, a named mutex as the instance lock, console control events as the stop
// signal, and an atomic replace with MoveFileExW.

#include <windows.h>

#include <shlobj.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <vector>

#include "agent/platform/home.hpp"
#include "agent/platform/platform.hpp"
#include "common/error.hpp"
#include "common/win32.hpp"

namespace sb::platform {

namespace {

// %ProgramData% (C:\ProgramData): the known folder, or the environment where the shell API fails.
std::filesystem::path program_data() {
    PWSTR path = nullptr;
    if (SUCCEEDED(::SHGetKnownFolderPath(FOLDERID_ProgramData, 0, nullptr, &path))) {
        std::filesystem::path out(path);
        ::CoTaskMemFree(path);
        return out;
    }
    ::CoTaskMemFree(path);
    if (const wchar_t* env = ::_wgetenv(L"ProgramData"); env != nullptr && *env != L'\0') {
        return env;
    }
    return L"C:\\ProgramData";
}

std::filesystem::path data_directory() {
    return program_data() / L"swarm-bootstrap";
}

}  // namespace

std::string default_docker_host() {
    return "npipe:////./pipe/docker_engine";
}
std::filesystem::path default_config_path() {
    return data_directory() / L"config.json";
}
std::filesystem::path default_state_path() {
    return data_directory() / L"state.json";
}
std::string home_variable() {
    return "USERPROFILE";
}
std::string default_lock_name() {
    // Global\: one agent per machine, whichever session (service or an administrator's console) runs it.
    return "Global\\swarm-bootstrap";
}

std::filesystem::path executable_path() {
    std::vector<wchar_t> buf(MAX_PATH);
    for (;;) {
        DWORD n = ::GetModuleFileNameW(nullptr, buf.data(), static_cast<DWORD>(buf.size()));
        if (n == 0) {
            throw Failure(ExitCode::internal,
                          "cannot find this executable's path: " + win32::error_text(::GetLastError()));
        }
        if (n < buf.size()) {
            return std::filesystem::path(std::wstring(buf.data(), n));
        }
        buf.resize(buf.size() * 2);
    }
}

std::string host_name() {
    // The name docker reports as the node's hostname (Go's os.Hostname uses the same call).
    wchar_t buf[256] = {};
    DWORD size = static_cast<DWORD>(std::size(buf));
    if (!::GetComputerNameExW(ComputerNamePhysicalDnsHostname, buf, &size)) {
        return {};
    }
    return win32::narrow(std::wstring_view(buf, size));
}

namespace {

class MutexLock final : public InstanceLock {
  public:
    explicit MutexLock(win32::UniqueHandle h) : handle_(std::move(h)) {}

  private:
    // The mutex object exists while a handle is open; Windows closes it when the process dies.
    win32::UniqueHandle handle_;
};

}  // namespace

namespace {

// A kernel object name: Global\NAME or Local\NAME as given; anything else (such as a lock file path from a
// configuration written for Linux) becomes Global\ plus the text in lower case with '\' turned into '/',
// because object names may not contain backslashes and paths are case-insensitive.
std::string mutex_name(const std::string& name) {
    if (name.starts_with("Global\\") || name.starts_with("Local\\")) {
        return name;
    }
    std::string out = "Global\\";
    for (char c : name) {
        out += c == '\\' ? '/' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

std::unique_ptr<InstanceLock> try_lock_instance(const std::string& lock_name) {
    const std::string name = mutex_name(lock_name);
    auto attempt = [](const std::string& mutex_name, DWORD& error) -> win32::UniqueHandle {
        win32::UniqueHandle h(::CreateMutexW(nullptr, FALSE, win32::widen(mutex_name).c_str()));
        error = ::GetLastError();
        return h;
    };
    DWORD error = 0;
    auto handle = attempt(name, error);
    if (!handle.valid() && error != ERROR_ACCESS_DENIED && name.starts_with("Global\\")) {
        // Some sessions may not create global objects; the session namespace still keeps one agent per user.
        handle = attempt("Local\\" + name.substr(7), error);
    }
    if (handle.valid() && error == ERROR_ALREADY_EXISTS) {
        return nullptr;
    }
    if (!handle.valid()) {
        if (error == ERROR_ACCESS_DENIED) {
            // It exists and belongs to another account (the service runs as LocalSystem): it is held.
            return nullptr;
        }
        throw Failure(ExitCode::internal,
                      "cannot create the mutex " + name + ": " + win32::error_text(error));
    }
    return std::make_unique<MutexLock>(std::move(handle));
}

namespace {

std::mutex stop_mutex;
std::optional<std::stop_source> stop_on_console_event;

BOOL WINAPI on_console_event(DWORD event) {
    {
        std::lock_guard lock(stop_mutex);
        if (!stop_on_console_event) {
            return FALSE;
        }
        stop_on_console_event->request_stop();
    }
    if (event == CTRL_CLOSE_EVENT || event == CTRL_LOGOFF_EVENT || event == CTRL_SHUTDOWN_EVENT) {
        // Windows ends the process when this returns: give the work a moment to record its state.
        ::Sleep(2000);
    }
    return TRUE;
}

}  // namespace

void request_stop_on_signals(std::stop_source stop) {
    std::lock_guard lock(stop_mutex);
    bool first = !stop_on_console_event.has_value();
    stop_on_console_event = std::move(stop);
    if (first) {
        ::SetConsoleCtrlHandler(on_console_event, TRUE);
    }
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
    std::error_code ec;
    if (path.has_parent_path()) {
        std::filesystem::create_directories(path.parent_path(), ec);
    }
    auto tmp = path;
    tmp += L".tmp." + std::to_wstring(::GetCurrentProcessId());
    auto fail = [&](const std::string& what, DWORD error) {
        ::DeleteFileW(tmp.c_str());
        throw Failure(ExitCode::internal, what + ": " + win32::error_text(error));
    };
    {
        win32::UniqueHandle file(::CreateFileW(tmp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                                               FILE_ATTRIBUTE_NORMAL, nullptr));
        if (!file.valid()) {
            throw Failure(ExitCode::internal,
                          "cannot write " + tmp.string() + ": " + win32::error_text(::GetLastError()));
        }
        std::size_t written = 0;
        while (written < content.size()) {
            DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(content.size() - written, 1u << 30));
            DWORD n = 0;
            if (!::WriteFile(file.get(), content.data() + written, chunk, &n, nullptr)) {
                DWORD error = ::GetLastError();
                file.reset();
                fail("cannot write " + tmp.string(), error);
            }
            written += n;
        }
        if (!::FlushFileBuffers(file.get())) {
            DWORD error = ::GetLastError();
            file.reset();
            fail("cannot flush " + tmp.string(), error);
        }
    }
    // A reader that has the old file open (without FILE_SHARE_DELETE, as C and C++ streams open it) blocks
    // the replace for a moment: retry for up to about 2 s.
    for (int attempt = 0;; ++attempt) {
        if (::MoveFileExW(tmp.c_str(), path.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
            return;
        }
        DWORD error = ::GetLastError();
        DWORD target = ::GetFileAttributesW(path.c_str());
        bool is_directory = target != INVALID_FILE_ATTRIBUTES && (target & FILE_ATTRIBUTE_DIRECTORY) != 0;
        if ((error != ERROR_ACCESS_DENIED && error != ERROR_SHARING_VIOLATION) || is_directory ||
            attempt >= 200) {
            fail("cannot replace " + path.string(), error);
        }
        ::Sleep(attempt < 10 ? 1 : 10);
    }
}

}  // namespace sb::platform
