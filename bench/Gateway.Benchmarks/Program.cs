using BenchmarkDotNet.Running;

// Every [Benchmark] class in this assembly is found here: a new one needs no registration.
//   dotnet run -c Release --project bench/Gateway.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Gateway.Benchmarks.GatewayServices).Assembly).Run(args);
