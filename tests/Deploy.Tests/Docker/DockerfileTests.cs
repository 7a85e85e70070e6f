using System.Globalization;
using System.Text.RegularExpressions;
using Collector.Configuration;
using Deploy.Tests.Kubernetes;
using Forwarder.Configuration;
using TestSupport;

namespace Deploy.Tests.Docker;

/// <summary>
/// hadolint's basics (no linter is installable here) and agreement with the programs and the manifests, for both
/// images. <c>docker build</c> itself is not run: there is no Docker engine on these machines.
/// </summary>
public sealed class DockerfileTests
{
    public static TheoryData<string> Components => new(["Collector", "Forwarder"]);

    [Theory]
    [MemberData(nameof(Components))]
    public void EveryBaseImageHasAPinnedTagOfTheDotnetVersionTheRepositoryBuildsWith(string component)
    {
        string sdk = Yaml.Parse(Repository.ReadText("global.json"), "global.json").Single().Required("sdk", "version");
        string majorMinor = string.Join('.', sdk.Split('.').Take(2));
        var stageNames = new HashSet<string>();
        foreach (var stage in Dockerfile.Load(component).Stages)
        {
            if (!stageNames.Contains(stage.Image))
            {
                var match = Regex.Match(stage.Image, @"^(?<name>[^:@]+)(:(?<tag>[^@]+))?(@sha256:[0-9a-f]{64})?$");
                Assert.True(
                    match.Groups["tag"].Success || stage.Image.Contains("@sha256:", StringComparison.Ordinal),
                    $"{stage.Image}: no tag (DL3006)");
                Assert.NotEqual("latest", match.Groups["tag"].Value); // DL3007
                if (match.Groups["name"].Value.StartsWith("mcr.microsoft.com/dotnet/", StringComparison.Ordinal))
                {
                    Assert.StartsWith(majorMinor, match.Groups["tag"].Value, StringComparison.Ordinal);
                }
            }

            Assert.True(stage.Name is null || stageNames.Add(stage.Name), $"stage {stage.Name} named twice (DL3024)");
        }
    }

    [Theory]
    [MemberData(nameof(Components))]
    public void TheBasesAreBuildArgumentsWhoseDefaultsAreMicrosoftsImages(string component)
    {
        // deploy/containers/build.sh passes stand-ins for these two; a plain `docker build` must get the real ones.
        var dockerfile = Dockerfile.Load(component);
        Assert.Equal(["RUNTIME_IMAGE", "SDK_IMAGE"], dockerfile.GlobalArguments.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0-noble", dockerfile.GlobalArguments["SDK_IMAGE"]);
        Assert.Equal("mcr.microsoft.com/dotnet/runtime-deps:10.0-noble", dockerfile.GlobalArguments["RUNTIME_IMAGE"]);
        var froms = dockerfile.Instructions.Where(i => i.Keyword == "FROM").Select(i => i.Arguments).ToArray();
        Assert.Equal(["${SDK_IMAGE} AS build", "${RUNTIME_IMAGE}"], froms);
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0-noble", dockerfile.Stages[0].Image);
        Assert.Equal("mcr.microsoft.com/dotnet/runtime-deps:10.0-noble", dockerfile.Final.Image);
    }

    [Fact]
    public void FromExpandsArgumentDefaultsAndLeavesUnknownNamesAsWritten()
    {
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal) { ["BASE"] = "debian:12" };
        Assert.Equal("debian:12", Dockerfile.Expand("${BASE}", arguments));
        Assert.Equal("debian:12", Dockerfile.Expand("$BASE", arguments));
        Assert.Equal("${OTHER}", Dockerfile.Expand("${OTHER}", arguments));
    }

    [Theory]
    [MemberData(nameof(Components))]
    public void ItBuildsNativelyInTheSdkStageAndRunsOnRuntimeDepsWithoutTheSdk(string component)
    {
        var dockerfile = Dockerfile.Load(component);
        Assert.True(dockerfile.Stages.Count >= 2, "multi-stage");
        var build = dockerfile.Stages.Single(s => s.Name == "build");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", build.Image, StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/runtime-deps:", dockerfile.Final.Image, StringComparison.Ordinal);

        // runtime-deps has no .NET runtime: only a native (AOT) build runs there, so the project must publish natively
        // and the build stage needs the native toolchain.
        Assert.Contains("<PublishAot>true</PublishAot>", Repository.ReadText($"{component}/{component}.csproj"), StringComparison.Ordinal);
        string publish = build.All("RUN").Single(r => r.Arguments.Contains("dotnet publish", StringComparison.Ordinal)).Arguments;
        Assert.Contains($"{component}/{component}.csproj", publish, StringComparison.Ordinal);
        Assert.Contains("-c Release", publish, StringComparison.Ordinal);
        Assert.DoesNotContain("PublishAot=false", publish, StringComparison.Ordinal);
        string tools = string.Join(' ', build.All("RUN").Select(r => r.Arguments));
        Assert.Contains("clang", tools, StringComparison.Ordinal);
        Assert.Contains("zlib1g-dev", tools, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Components))]
    public void TheImageRunsAsANumericNonRootUser(string component)
    {
        // Numeric, so Kubernetes' runAsNonRoot can check it without reading /etc/passwd (DL3002: not root last).
        string user = Dockerfile.Load(component).User ?? throw new Xunit.Sdk.XunitException("no USER in the final stage");
        Assert.Matches(@"^[1-9][0-9]*(:[1-9][0-9]*)?$", user);
    }

    [Theory]
    [MemberData(nameof(Components))]
    public void NoAddAndEveryCopiedFileIsInTheBuildContextOrAnEarlierStage(string component)
    {
        var dockerfile = Dockerfile.Load(component);
        Assert.DoesNotContain(dockerfile.Instructions, i => i.Keyword is "ADD" or "MAINTAINER"); // DL3020, DL4000
        string[] ignored = File.ReadAllLines(Repository.File(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        var stages = new List<string>();
        foreach (var stage in dockerfile.Stages)
        {
            foreach (var copy in stage.All("COPY"))
            {
                var words = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                string? from = words.FirstOrDefault(w => w.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
                var sources = words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).SkipLast(1).ToList();
                Assert.NotEmpty(sources);
                if (from is not null)
                {
                    Assert.Contains(from, stages); // DL3022
                    continue;
                }

                foreach (string source in sources)
                {
                    Assert.True(
                        File.Exists(Repository.File(source)) || Directory.Exists(Repository.File(source)),
                        $"line {copy.Line}: {source} is not in the repository");
                    Assert.DoesNotContain(ignored, pattern => source.TrimEnd('/') == pattern.TrimEnd('/'));
                }
            }

            if (stage.Name is not null)
            {
                stages.Add(stage.Name);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Components))]
    public void AptInstallsWithoutRecommendsAndLeavesNoPackageLists(string component)
    {
        foreach (var run in Dockerfile.Load(component).Stages.SelectMany(s => s.All("RUN")))
        {
            Assert.DoesNotContain("sudo ", run.Arguments, StringComparison.Ordinal); // DL3004
            Assert.DoesNotContain("apt-get upgrade", run.Arguments, StringComparison.Ordinal); // DL3005
            Assert.DoesNotContain("cd ", run.Arguments, StringComparison.Ordinal); // DL3003: WORKDIR instead
            if (run.Arguments.Contains("apt-get install", StringComparison.Ordinal))
            {
                Assert.Contains("apt-get update", run.Arguments, StringComparison.Ordinal); // DL3009 with the cleanup below
                Assert.Contains("-y", run.Arguments, StringComparison.Ordinal); // DL3014
                Assert.Contains("--no-install-recommends", run.Arguments, StringComparison.Ordinal); // DL3015
                Assert.Contains("rm -rf /var/lib/apt/lists/*", run.Arguments, StringComparison.Ordinal); // DL3009
            }
        }

        Assert.All(
            Dockerfile.Load(component).Instructions.Where(i => i.Keyword == "WORKDIR"),
            w => Assert.StartsWith("/", w.Arguments, StringComparison.Ordinal)); // DL3000
    }

    [Theory]
    [MemberData(nameof(Components))]
    public void TheEntrypointIsThePublishedExecutableInExecForm(string component)
    {
        var dockerfile = Dockerfile.Load(component);
        Assert.Equal([$"/app/{component}"], dockerfile.Entrypoint);
        Assert.Contains(
            dockerfile.Final.All("COPY"),
            c => c.Arguments.StartsWith($"--from=build /out/{component} ", StringComparison.Ordinal)
                && c.Arguments.EndsWith(" /app/", StringComparison.Ordinal));
        Assert.Equal("/app", dockerfile.Final.All("WORKDIR").Last().Arguments);
    }

    [Fact]
    public void TheCollectorImageHasLessForKubectlExec()
    {
        var install = Dockerfile.Load("Collector").Final.All("RUN").Single(r => r.Arguments.Contains("apt-get install", StringComparison.Ordinal));
        Assert.Matches(@"--no-install-recommends[^&]*\bless\b", install.Arguments);
    }

    [Fact]
    public void TheCollectorsEnvironmentIsValidTheConfigMapsAndExposesItsListeners()
    {
        var image = Dockerfile.Load("Collector");
        Assert.Empty(Settings.UnknownKeys(image.Environment, CollectorOptions.Section, Settings.CollectorKeys));
        var options = Settings.ReadCollector(image.Environment);
        AssertSameWhereBothSet(image.Environment, Manifests.Collector.Environment, CollectorOptions.Section);
        Assert.Equal(
            [
                $"{options.Tcp!.Port}/tcp",
                $"{options.Udp!.Port}/udp",
                $"{Settings.ReadCollector(image.Environment).Relp!.Port}/tcp",
                $"{options.Http!.Port}/tcp",
            ],
            image.Final.All("EXPOSE").SelectMany(e => e.Arguments.Split(' ')));
        Assert.Equal("/var/log/messages", options.File); // docs/deploy.md's and the image's promise
        Assert.Contains(
            image.Final.All("RUN"),
            r => r.Arguments.Contains(
                $"chown {image.User} {Path.GetDirectoryName(options.File)}", StringComparison.Ordinal));
    }

    [Fact]
    public void TheForwardersEnvironmentIsValidTheConfigMapsAndExposesItsHttpPort()
    {
        var image = Dockerfile.Load("Forwarder");
        Assert.Empty(Settings.UnknownKeys(image.Environment, ForwarderOptions.Section, Settings.ForwarderKeys));
        var options = Settings.ReadForwarder(image.Environment);
        AssertSameWhereBothSet(image.Environment, Manifests.Forwarder.Environment, ForwarderOptions.Section);
        Assert.Equal([$"{options.Http!.Port}/tcp"], image.Final.All("EXPOSE").SelectMany(e => e.Arguments.Split(' ')));
        // The state directory exists in the image and belongs to its user, so a fresh volume mounted there is writable.
        Assert.Contains(
            image.Final.All("RUN"),
            r => r.Arguments.Contains($"install -d -o {image.User!.Split(':')[0]}", StringComparison.Ordinal)
                && r.Arguments.EndsWith(options.State, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Components))]
    public void TheHealthcheckAsksAProbePathOfTheManifestOnTheHttpPort(string component)
    {
        var image = Dockerfile.Load(component);
        var (port, path) = HealthcheckTarget(image);
        var http = component == "Collector" ? Settings.ReadCollector(image.Environment).Http : Settings.ReadForwarder(image.Environment).Http;
        Assert.Equal(http!.Port, port);
        var workload = component == "Collector" ? Manifests.Collector : Manifests.Forwarder;
        Assert.Contains(path, workload.Probes.Select(p => p.Required("httpGet", "path")));
    }

    [Fact]
    public async Task TheCollectorsHealthcheckPassesAgainstTheCollectorAndFailsWithoutIt()
    {
        var image = Dockerfile.Load("Collector");
        using var directory = TempDirectory.Create();
        int port;
        await using (var collector = await RunningApp.StartCollectorAsync(image.Environment, directory))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, await collector.GetUntilOkAsync(HealthcheckTarget(image).Path));
            port = collector.Http.Port;
            Assert.Equal(0, (await RunHealthcheckAsync(image, port)).ExitCode);
        }

        Assert.NotEqual(0, (await RunHealthcheckAsync(image, port)).ExitCode);
    }

    [Fact]
    public async Task TheForwardersHealthcheckPassesAgainstTheForwarder()
    {
        var image = Dockerfile.Load("Forwarder");
        using var directory = TempDirectory.Create();
        await using var forwarder = await RunningApp.StartForwarderAsync(image.Environment, directory);
        Assert.Equal(System.Net.HttpStatusCode.OK, await forwarder.GetUntilOkAsync(HealthcheckTarget(image).Path));
        Assert.Equal(0, (await RunHealthcheckAsync(image, forwarder.Http.Port)).ExitCode);
    }

    private static (int Port, string Path) HealthcheckTarget(Dockerfile image)
    {
        var command = image.HealthcheckCommand;
        Assert.Equal("bash", command[0]); // the runtime-deps image has bash, not curl
        var match = Regex.Match(command[^1], @"/dev/tcp/127\.0\.0\.1/(?<port>\d+) .*'GET (?<path>/\S*) HTTP/1\.0");
        Assert.True(match.Success, command[^1]);
        return (int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture), match.Groups["path"].Value);
    }

    /// <summary>
    /// Runs the image's HEALTHCHECK command here, aimed at <paramref name="port"/> instead of the image's.
    /// </summary>
    private static Task<ProcessRunner.Result> RunHealthcheckAsync(Dockerfile image, int port)
    {
        var command = image.HealthcheckCommand.ToArray();
        string imagePort = HealthcheckTarget(image).Port.ToString(CultureInfo.InvariantCulture);
        command[^1] = command[^1].Replace(
            $"/dev/tcp/127.0.0.1/{imagePort} ",
            $"/dev/tcp/127.0.0.1/{port.ToString(CultureInfo.InvariantCulture)} ",
            StringComparison.Ordinal);
        return ProcessRunner.RunAsync(command[0], command.Skip(1), TimeSpan.FromSeconds(10));
    }

    private static void AssertSameWhereBothSet(
        IReadOnlyDictionary<string, string> image, IReadOnlyDictionary<string, string> manifest, string section)
    {
        var shared = image.Keys.Intersect(manifest.Keys).Where(k => k.StartsWith(section, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(shared);
        Assert.All(shared, key => Assert.True(image[key] == manifest[key], $"{key}: image '{image[key]}', manifest '{manifest[key]}'"));
    }
}
