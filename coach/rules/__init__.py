"""The phrase checker's rule packs, their loader and the matcher built from them."""
