//! Placeholder until the layer benchmark lands.
fn main() {}
