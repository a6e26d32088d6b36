// The store module's error category.
#include "store/store.hpp"

#include <string>

namespace uplink::store {

namespace {

class StoreCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "store"; }
    std::string message(int code) const override
    {
        switch (static_cast<Errc>(code)) {
        case Errc::CannotOpen:
            return "the database file cannot be opened or created";
        case Errc::Corrupt:
            return "the database file is corrupt (not an SQLite database, or a damaged page); "
                   "it is left as it is";
        case Errc::ForeignDatabase:
            return "the file is another program's SQLite database (or another uplink file); it is "
                   "left "
                   "as it is";
        case Errc::TooNew:
            return "the database was written by a newer uplinkd";
        case Errc::ReadOnly:
            return "the database file or its directory is not writable";
        case Errc::Busy:
            return "the database is in use by another process";
        case Errc::Full:
            return "no space left for the database";
        case Errc::Io:
            return "I/O error on the database file";
        case Errc::Database:
            return "database error";
        case Errc::InvalidArgument:
            return "invalid argument";
        }
        return "unknown store error " + std::to_string(code);
    }
};

} // namespace

const boost::system::error_category& store_category()
{
    static const StoreCategory category;
    return category;
}

Error make_error_code(Errc code)
{
    return {static_cast<int>(code), store_category()};
}

} // namespace uplink::store
