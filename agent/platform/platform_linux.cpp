#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <csignal>
#include <cstring>
#include <fstream>
#include <thread>

#include "agent/platform/home.hpp"
#include "agent/platform/platform.hpp"
#include "common/error.hpp"

namespace sb::platform {

std::string default_docker_host() {
    return "unix:///var/run/docker.sock";
}
std::filesystem::path default_config_path() {
    return "/etc/swarm-bootstrap/config.json";
}
std::filesystem::path default_state_path() {
    return "/var/lib/swarm-bootstrap/state.json";
}
std::string home_variable() {
    return "HOME";
}
std::string default_lock_name() {
    return "/run/swarm-bootstrap.lock";
}

std::filesystem::path executable_path() {
    return std::filesystem::read_symlink("/proc/self/exe");
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) {
        return {};
    }
    return buf;
}

namespace {

class FlockLock final : public InstanceLock {
  public:
    explicit FlockLock(int fd) : fd_(fd) {}
    ~FlockLock() override { ::close(fd_); }  // closing releases the flock

  private:
    int fd_;
};

}  // namespace

std::unique_ptr<InstanceLock> try_lock_instance(const std::string& name) {
    std::filesystem::path path(name);
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    int fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw Failure(ExitCode::internal, "cannot open lock file " + name + ": " + std::strerror(errno) +
                                              "; run as root or set --lock-file");
    }
    // flock belongs to the open file: the kernel drops it when the process dies, so it is never stale.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK) {
            return nullptr;
        }
        throw Failure(ExitCode::internal, "cannot lock " + name + ": " + std::strerror(err));
    }
    return std::make_unique<FlockLock>(fd);
}

void request_stop_on_signals(std::stop_source stop) {
    // A dedicated thread waits for the signals synchronously, so no work happens in a signal handler.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set, stop]() mutable {
        int sig = 0;
        while (sigwait(&set, &sig) == 0) {
            stop.request_stop();
        }
    }).detach();
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    auto tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw Failure(ExitCode::internal, "cannot write " + tmp.string() + ": " + std::strerror(errno));
    }
    std::size_t written = 0;
    while (written < content.size()) {
        auto n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Failure(ExitCode::internal, "cannot write " + tmp.string() + ": " + std::strerror(err));
        }
        written += static_cast<std::size_t>(n);
    }
    // A full or failing disk can report itself only here: the file is not replaced with a torn one.
    const bool synced = ::fsync(fd) == 0;
    const int sync_error = errno;
    const bool closed = ::close(fd) == 0;
    if (!synced || !closed) {
        const int why = synced ? errno : sync_error;
        ::unlink(tmp.c_str());
        throw Failure(ExitCode::internal, "cannot write " + tmp.string() + ": " + std::strerror(why));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw Failure(ExitCode::internal, "cannot replace " + path.string() + ": " + std::strerror(err));
    }
    // Make the rename itself durable.
    int dir = ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

}  // namespace sb::platform
