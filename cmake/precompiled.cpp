// The translation unit that compiles cmake/precompiled.hpp for every other target to reuse.
