#include "pool_control.hpp"

namespace top {

namespace {

// No control channel in this build: nothing is sent, and the key says so.
class NoControl final : public PoolControl {
  public:
    std::string cancel(pid_t, std::uint64_t) override {
        return "cancel: this forkline has no control channel yet";
    }
    std::string pause_or_resume(pid_t) override {
        return "pause: this forkline has no control channel yet";
    }
};

}  // namespace

std::unique_ptr<PoolControl> make_pool_control() {
    return std::make_unique<NoControl>();
}

}  // namespace top
