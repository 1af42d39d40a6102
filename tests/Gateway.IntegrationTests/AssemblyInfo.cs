// Every test starts real servers on loopback and several count requests per backend; running them one
// at a time keeps them deterministic on a two-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
