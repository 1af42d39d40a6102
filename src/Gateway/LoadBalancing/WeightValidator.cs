using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;

namespace Gateway.LoadBalancing;

/// <summary>Refuses a destination <c>Weight</c> outside 0..256, naming the cluster and destination.</summary>
internal sealed class WeightValidator : IClusterValidator
{
    public ValueTask ValidateAsync(ClusterConfig cluster, IList<Exception> errors)
    {
        if (cluster.Destinations is null)
        {
            return ValueTask.CompletedTask;
        }

        foreach (var (destinationId, destination) in cluster.Destinations)
        {
            if (destination.Metadata is not null
                && destination.Metadata.TryGetValue(DestinationWeight.MetadataKey, out var text)
                && !DestinationWeight.TryParse(text, out _))
            {
                errors.Add(new ArgumentException(
                    $"Cluster '{cluster.ClusterId}', destination '{destinationId}': Weight '{text}' is invalid; it must be a whole number from 0 to {DestinationWeight.Max} (default {DestinationWeight.Default})."));
            }
        }

        return ValueTask.CompletedTask;
    }
}
