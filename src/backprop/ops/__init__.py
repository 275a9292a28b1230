"""The library's ops, by family; each op is one ``Function`` subclass with its forward and backward formula."""
