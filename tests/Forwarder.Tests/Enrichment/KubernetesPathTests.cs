using Forwarder.Enrichment;

namespace Forwarder.Tests.Enrichment;

public sealed class KubernetesPathTests
{
    private const string Id = "3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f";
    private const string Uid = "0b6a1c2d-3e4f-5a6b-7c8d-9e0f1a2b3c4d";

    [Fact]
    public void ReadsTheContainerdChainFromContainersLinkToPodsFile()
    {
        var pod = KubernetesPath.FromPaths([
            $"/var/log/containers/web-7d9c8b6f5-x2x4z_default_nginx-{Id}.log",
            $"/var/log/pods/default_web-7d9c8b6f5-x2x4z_{Uid}/nginx/0.log",
        ]);

        Assert.Equal(new PodIdentity("default", "web-7d9c8b6f5-x2x4z", "nginx", Id, Uid), pod);
    }

    [Fact]
    public void ReadsTheDockerChainEndingInTheJsonFileUnderAnyPrefix()
    {
        string root = "/tmp/kube-syslog-tests/Chain-1234";
        var pod = KubernetesPath.FromPaths([
            $"{root}/var/log/containers/app-0_bench_main-{Id}.log",
            $"{root}/var/log/pods/bench_app-0_{Uid}/main/0.log",
            $"{root}/var/lib/docker/containers/{Id}/{Id}-json.log",
        ]);

        Assert.Equal(new PodIdentity("bench", "app-0", "main", Id, Uid), pod);
    }

    [Fact]
    public void APodsFileAloneHasNoContainerId()
    {
        var pod = KubernetesPath.FromPaths([$"/var/log/pods/kube-system_coredns-5d78c9869d-abcde_{Uid}/coredns/3.log"]);

        Assert.Equal(new PodIdentity("kube-system", "coredns-5d78c9869d-abcde", "coredns", null, Uid), pod);
    }

    [Fact]
    public void AContainersLinkAloneHasNoPodUid()
    {
        var pod = KubernetesPath.FromPaths([$"/var/log/containers/web-0_default_nginx-{Id}.log"]);

        Assert.Equal(new PodIdentity("default", "web-0", "nginx", Id, null), pod);
    }

    [Fact]
    public void ReadsContainerNamesWithDashesAndPodNamesWithDots()
    {
        var pod = KubernetesPath.FromPaths([
            $"/var/log/containers/etcd-node-1.example.com_kube-system_istio-proxy-init-{Id}.log",
            $"/var/log/pods/kube-system_etcd-node-1.example.com_{Uid}/istio-proxy-init/0.log",
        ]);

        Assert.Equal(new PodIdentity("kube-system", "etcd-node-1.example.com", "istio-proxy-init", Id, Uid), pod);
    }

    [Fact]
    public void ReadsARotatedPodsFile()
    {
        var pod = KubernetesPath.FromPaths([$"/var/log/pods/default_web-0_{Uid}/nginx/0.log.20260101-000000"]);

        Assert.Equal("nginx", pod?.Container);
    }

    [Fact]
    public void TheFirstPathToNameAFieldWins()
    {
        var pod = KubernetesPath.FromPaths([
            $"/var/log/containers/web-0_default_nginx-{Id}.log",
            $"/var/log/pods/other_web-1_{Uid}/sidecar/0.log",
        ]);

        Assert.Equal(new PodIdentity("default", "web-0", "nginx", Id, Uid), pod);
    }

    [Theory]
    [InlineData("/var/log/syslog")]
    [InlineData("/var/log/containers/not-a-container.log")]
    [InlineData("/var/log/containers/web-0_default_nginx-3f2a9c.log")]
    [InlineData("/var/log/containers/web-0_default_nginx-3F2A9C1E5B7D4E6F8A9B0C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F6A7B8C9D0E1F.log")]
    [InlineData("/var/log/containers/web-0_default_nginx-3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f.txt")]
    [InlineData("/var/log/pods/default_web-0/nginx/0.log")]
    [InlineData("/var/log/pods/default_web-0_uid/nginx/current.log")]
    [InlineData("/var/log/pods/default_web-0_uid/0.log")]
    [InlineData("/var/log/pods/default_web-0_uid/nginx/extra/0.log")]
    [InlineData(
        "/var/lib/docker/containers/3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f/"
        + "3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f-json.log")]
    [InlineData("/home/user/app.log")]
    public void OtherFilesHaveNoPod(string path)
    {
        Assert.Null(KubernetesPath.FromPaths([path]));
    }

    [Fact]
    public void AnEmptyChainHasNoPod()
    {
        Assert.Null(KubernetesPath.FromPaths([]));
    }
}
