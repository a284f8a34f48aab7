// A class with private fields cannot be checked for pointers: it must opt in.
// expect: declare template <> inline constexpr bool forkline::sent_as_bytes<T> = true
#include <forkline/forkline.hpp>

class Money {
  public:
    explicit Money(long cents) : cents_(cents) {}
    long cents() const { return cents_; }

  private:
    long cents_;
};
#ifdef CONTROL
template <>
inline constexpr bool forkline::sent_as_bytes<Money> = true;
#endif

void send(forkline::Pool& pool) {
    pool.submit(Money(250));
}
