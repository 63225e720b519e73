using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.IO;

namespace GitTheta.Core.Filters;

/// <summary>
/// git's long-running filter protocol, version 2 (gitattributes(5), "Long Running Filter Process"):
/// one process serves every clean and smudge of a git command. A failed request answers
/// status=error and the process keeps serving the next one. With a smudge-ahead budget it also offers git the
/// <c>delay</c> capability and prepares delayed smudges while git writes the files (<see cref="SmudgeAhead"/>).
/// </summary>
internal sealed class FilterProcessServer
{
    private readonly PktLineReader reader;
    private readonly PktLineWriter writer;
    private readonly IFilterHandler handler;
    private readonly Action<string> log;
    private readonly long smudgeAheadBytes;

    /// <summary>Held around every call into the handler: it runs one request at a time, on this thread or the smudge-ahead worker.</summary>
    private readonly object handlerGate = new();
    private SmudgeAhead? smudgeAhead;
    private byte[]? requestBuffer;

    public FilterProcessServer(Stream input, Stream output, IFilterHandler handler, Action<string> log, long smudgeAheadBytes = 0)
    {
        reader = new PktLineReader(input);
        writer = new PktLineWriter(output, batch: true);
        this.handler = handler;
        this.log = log;
        this.smudgeAheadBytes = smudgeAheadBytes;
    }

    public void Run()
    {
        try
        {
            ServeRequests();
        }
        finally
        {
            smudgeAhead?.Dispose();
        }
    }

    private void ServeRequests()
    {
        Handshake();
        while (true)
        {
            var header = reader.ReadTextList();
            if (header is null)
            {
                return;
            }

            var fields = header.Select(l => l.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
            fields.TryGetValue("command", out var command);
            fields.TryGetValue("pathname", out var pathname);
            pathname ??= "<unknown>";
            var content = new PktLineContentStream(reader);
            var mayDelay = smudgeAhead is not null && command == "smudge" && fields.TryGetValue("can-delay", out var canDelay) && canDelay == "1";
            if (!mayDelay)
            {
                // git asks for something else only once it has sent every smudge it lets the filter delay.
                smudgeAhead?.RequestsComplete();
            }

            switch (command)
            {
                case "clean":
                    lock (handlerGate)
                    {
                        Serve(content, pathname, () =>
                        {
                            var result = handler.Clean(content, pathname);
                            return output => output.Write(result);
                        });
                    }

                    break;
                case "smudge":
                    if (smudgeAhead?.Take(pathname) is { } delayed)
                    {
                        content.Drain();
                        ServeDelayed(content, delayed);
                    }
                    else if (mayDelay)
                    {
                        var request = ReadRequest(content);
                        if (request.Length <= SmudgeAhead.MaxRequestBytes && smudgeAhead!.TryDelay(pathname, request, SmudgeOrigin(fields)))
                        {
                            writer.WriteText("status=delayed");
                            writer.WriteFlush();
                            writer.Flush();
                        }
                        else
                        {
                            Smudge(content, new PrefixedStream(request, content), pathname, SmudgeOrigin(fields));
                        }
                    }
                    else
                    {
                        Smudge(content, content, pathname, SmudgeOrigin(fields));
                    }

                    break;
                case "list_available_blobs" when smudgeAhead is not null:
                    // No content follows this command.
                    foreach (var path in smudgeAhead.ListAvailable())
                    {
                        writer.WriteText("pathname=" + path);
                    }

                    writer.WriteFlush();
                    writer.WriteText("status=success");
                    writer.WriteFlush();
                    writer.Flush();
                    break;
                default:
                    content.Drain();
                    writer.WriteText("status=error");
                    writer.WriteFlush();
                    writer.Flush();
                    log($"{pathname}: git asked for an unsupported filter command '{command}'.");
                    break;
            }
        }
    }

    private void Smudge(PktLineContentStream content, Stream input, string pathname, string origin)
    {
        lock (handlerGate)
        {
            ISmudgeResult? prepared = null;
            try
            {
                Serve(content, pathname, () =>
                {
                    prepared = handler.Smudge(input, pathname);
                    return prepared.WriteTo;
                }, origin);
            }
            finally
            {
                prepared?.Dispose();
            }
        }
    }

    /// <summary>The request's content if it is small enough to hold for later (else its first bytes, and the rest is still to read).</summary>
    private byte[] ReadRequest(Stream content)
    {
        requestBuffer ??= new byte[SmudgeAhead.MaxRequestBytes + 1];
        var n = content.ReadAtLeast(requestBuffer, requestBuffer.Length, throwOnEndOfStream: false);
        return requestBuffer.AsSpan(0, n).ToArray();
    }

    /// <summary>git asks again for a smudge it let the filter delay, with no content this time.</summary>
    private void ServeDelayed(PktLineContentStream content, DelayedSmudge delayed)
    {
        if (delayed.Failure is { } failure)
        {
            Report(failure, delayed.Path, delayed.Origin);
            writer.WriteText("status=error");
            writer.WriteFlush();
            writer.Flush();
        }
        else if (delayed.Reply is { } reply)
        {
            Serve(content, delayed.Path, () => output => reply.WriteTo(output), delayed.Origin);
        }
        else
        {
            // Too large to hold: written now, streamed, as it would have been without delay.
            Smudge(content, new MemoryStream(delayed.Request, writable: false), delayed.Path, delayed.Origin);
        }
    }

    /// <summary>Which commit (or blob) a checkout was writing the file from, as git tells a filter process since 2.27.</summary>
    private static string SmudgeOrigin(Dictionary<string, string> fields) =>
        fields.TryGetValue("treeish", out var treeish) ? $" (checking out commit {treeish})"
        : fields.TryGetValue("blob", out var blob) ? $" (checking out blob {blob})"
        : string.Empty;

    private void Serve(PktLineContentStream content, string pathname, Func<Action<Stream>> prepare, string origin = "")
    {
        Action<Stream> reply;
        try
        {
            reply = prepare();
            content.Drain();
        }
        catch (Exception e)
        {
            content.Drain();
            Report(e, pathname, origin);
            writer.WriteText("status=error");
            writer.WriteFlush();
            writer.Flush();
            return;
        }

        writer.WriteText("status=success");
        writer.WriteFlush();
        var body = new PktLineContentWriteStream(writer);
        try
        {
            reply(body);
            body.Flush();
        }
        catch (Exception e)
        {
            // Content already went out: end it and take the success back, as the protocol allows.
            Report(e, pathname, origin);
            writer.WriteFlush();
            writer.WriteText("status=error");
            writer.WriteFlush();
            writer.Flush();
            return;
        }

        writer.WriteFlush();
        writer.WriteFlush();
        writer.Flush();
    }

    private void Report(Exception e, string pathname, string origin = "")
    {
        var known = e as ThetaException ?? IoFailure.Describe(e, pathname);
        log(known is not null ? $"error {known.Code}: {known.Message}{origin}" : $"error {DiagnosticIds.UnexpectedError}: {pathname}: {e.GetType().Name}: {e.Message}{origin}");
    }

    private void Handshake()
    {
        var hello = reader.ReadTextList() ?? throw Protocol("git closed the connection before the handshake");
        if (!hello.Contains("git-filter-client") || !hello.Contains("version=2"))
        {
            throw Protocol($"unexpected handshake '{string.Join(", ", hello)}'");
        }

        writer.WriteText("git-filter-server");
        writer.WriteText("version=2");
        writer.WriteFlush();
        writer.Flush();
        var capabilities = reader.ReadTextList() ?? throw Protocol("git closed the connection during the handshake");
        foreach (var capability in new[] { "capability=clean", "capability=smudge" })
        {
            if (capabilities.Contains(capability))
            {
                writer.WriteText(capability);
            }
        }

        if (smudgeAheadBytes > 0 && capabilities.Contains("capability=delay") && capabilities.Contains("capability=smudge"))
        {
            writer.WriteText("capability=delay");
            smudgeAhead = new SmudgeAhead(handler, handlerGate, smudgeAheadBytes);
        }

        writer.WriteFlush();
        writer.Flush();
    }

    private static ThetaException Protocol(string what) =>
        new(DiagnosticIds.FilterProtocolError, $"filter protocol error: {what}.");
}
