"""amodule core: the Module base class, IO types, specs, test cases, comparison, converters."""
