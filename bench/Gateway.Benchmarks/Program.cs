using BenchmarkDotNet.Running;

// Every [Benchmark] class in this assembly is found here: a new one needs no registration.
//   dotnet run -c Release --project bench/Gateway.Benchmarks -- --filter '*'
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Gateway.Benchmarks.GatewayServices).Assembly).Run(args);

// BenchmarkDotNet reports a benchmark that threw and carries on; the exit code says so, for CI's smoke run.
return summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success)) ? 1 : 0;
