using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Each update type through real git: commit a base, commit an update (inferred, and side-loaded where the type takes
/// update data), then check out both commits and compare the values with what was committed.
/// </summary>
public sealed class UpdateTypesTests : IDisposable
{
    private const string Model = "model.safetensors";
    private const string Weight = "layers.0.weight";
    private const string Bias = "layers.0.bias";

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Theory]
    [InlineData("F32")]
    [InlineData("BF16")]
    [InlineData("F16")]
    public void Sparse_stores_the_changed_elements_and_both_commits_check_out_exactly(string dtype)
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel(dtype);
        var values = v1[Weight].Values.ToArray();
        foreach (var i in new[] { 3, 500, 4000 })
        {
            values[i] += 0.25;
        }

        var v2 = v1.With(Weight, values);
        var (first, second) = CommitPair(repo, v1, v2, "add", Model, "--update-type", "sparse");

        var entry = MetadataView.Parse(repo.Show($"{second}:{Model}"))[Weight];
        Assert.Equal("sparse", entry.Type);
        Assert.Equal(first, entry.Base);
        Assert.Equal(1, entry.Depth);
        Assert.Equal("dense", MetadataView.Parse(repo.Show($"{second}:{Model}"))[Bias].Type);
        CheckOut(repo, first, v1.ToBytes());
        CheckOut(repo, second, v2.ToBytes());
    }

    [Fact]
    public void A_one_percent_sparse_update_of_a_1024_by_256_group_stores_at_most_a_tenth_of_the_dense_bytes()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = new TensorFile().Add(Weight, "F32", new long[] { 1024, 256 }, TensorFile.Random(1, 1024 * 256));
        var values = v1[Weight].Values.ToArray();
        var random = new Random(2);
        foreach (var i in Enumerable.Range(0, values.Length).OrderBy(_ => random.Next()).Take(values.Length / 100))
        {
            values[i] += 1e-3;
        }

        var v2 = v1.With(Weight, values);
        var (first, second) = CommitPair(repo, v1, v2, "add", Model, "--update-type", "sparse");

        var dense = MetadataView.Parse(repo.Show($"{first}:{Model}"))[Weight];
        var sparse = MetadataView.Parse(repo.Show($"{second}:{Model}"))[Weight];
        Assert.Equal("sparse", sparse.Type);
        Assert.True(sparse.Size <= dense.Size / 10, $"the sparse update stores {sparse.Size} bytes, the dense value {dense.Size}");
        Assert.Equal(sparse.Size, new FileInfo(repo.ObjectFile(sparse.Oid)).Length);
        CheckOut(repo, first, v1.ToBytes());
        CheckOut(repo, second, v2.ToBytes());
    }

    [Fact]
    public void Low_rank_inferred_from_the_difference_rebuilds_the_value_within_the_tolerances()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel("F32");
        var (r, c) = Factors(rows: 64, columns: 128, rank: 3, seed: 5);
        var v2 = v1.With(Weight, PlusProduct(v1[Weight].Values, r, c, 64, 3, 128));
        var (first, second) = CommitPair(repo, v1, v2, "add", Model, "--update-type", "low-rank");

        var entry = MetadataView.Parse(repo.Show($"{second}:{Model}"))[Weight];
        Assert.Equal("low-rank", entry.Type);
        Assert.True(entry.Size < 64 * 128 * 4 / 4, $"rank-3 factors of a 64x128 group take {entry.Size} bytes");
        CheckOut(repo, first, v1.ToBytes());
        CheckOutClose(repo, second, v2, atol: 1e-8, rtol: 1e-5);
    }

    [Fact]
    public void Low_rank_with_rank_given_stores_factors_of_that_rank()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel("F32");
        var (r, c) = Factors(rows: 64, columns: 128, rank: 2, seed: 6);
        var v2 = v1.With(Weight, PlusProduct(v1[Weight].Values, r, c, 64, 2, 128));
        var (_, second) = CommitPair(repo, v1, v2, "add", Model, "--update-type", "low-rank", "--rank", "5");

        var entry = MetadataView.Parse(repo.Show($"{second}:{Model}"))[Weight];
        Assert.Equal("low-rank", entry.Type);
        Assert.Equal((64 + 128) * 5 * 4, entry.Size - HeaderBytes(repo, entry));
        CheckOutClose(repo, second, v2, atol: 1e-8, rtol: 1e-5);
    }

    [Theory]
    [InlineData("F32")]
    [InlineData("BF16")]
    public void Side_loaded_low_rank_factors_are_stored_as_given_and_the_file_is_rewritten_with_them(string dtype)
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = new TensorFile().Add(Weight, dtype, new long[] { 256, 256 }, TensorFile.Random(1, 256 * 256)).Add(Bias, dtype, new long[] { 256 }, TensorFile.Random(2, 256));
        repo.Write(Model, v1.ToBytes());
        repo.GitOk("add", ".gitattributes", Model);
        var first = repo.Commit("base");
        var (r, c) = Factors(rows: 256, columns: 256, rank: 4, seed: 7);
        var lora = new TensorFile().Add(Weight + "/R", "F32", new long[] { 256, 4 }, r).Add(Weight + "/C", "F32", new long[] { 4, 256 }, c);
        File.WriteAllBytes(sandbox.Path("lora.safetensors"), lora.ToBytes());

        repo.ThetaOk("add", Model, "--update-type", "low-rank", "--update-data", sandbox.Path("lora.safetensors"));
        Assert.Equal($"M  {Model}\n", repo.GitOk("status", "--porcelain"));
        var second = repo.Commit("LoRA");

        var entry = MetadataView.Parse(repo.Show($"{second}:{Model}"))[Weight];
        Assert.Equal("low-rank", entry.Type);
        Assert.Equal(first, entry.Base);
        var factorBytes = (256 * 4 * 2) * 4;
        Assert.True(entry.Size <= 3 * factorBytes, $"the update stores {entry.Size} bytes for {factorBytes} bytes of factors");
        Assert.Equal(MetadataView.Parse(repo.Show($"{first}:{Model}"))[Bias].Oid, MetadataView.Parse(repo.Show($"{second}:{Model}"))[Bias].Oid);
        CheckOut(repo, first, v1.ToBytes());
        CheckOut(repo, second, v1.With(Weight, PlusProduct(v1[Weight].Values, lora[Weight + "/R"].Values, lora[Weight + "/C"].Values, 256, 4, 256)).ToBytes());
    }

    [Theory]
    [InlineData("F32")]
    [InlineData("BF16")]
    [InlineData("F16")]
    public void Ia3_inferred_from_a_row_scaling_rebuilds_the_value_exactly(string dtype)
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel(dtype);
        var scale = TensorFile.Random(8, 64, 0.5).Select(s => 1 + s).ToArray();
        var v2 = v1.With(Weight, v1[Weight].Values.Select((v, i) => v * scale[i / 128]).ToArray());
        var (first, second) = CommitPair(repo, v1, v2, "add", Model, "--update-type", "ia3");

        var entry = MetadataView.Parse(repo.Show($"{second}:{Model}"))[Weight];
        Assert.Equal("ia3", entry.Type);
        CheckOut(repo, first, v1.ToBytes());
        CheckOut(repo, second, v2.ToBytes());
    }

    [Fact]
    public void Ia3_side_loaded_scales_the_previous_value()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel("F32");
        repo.Write(Model, v1.ToBytes());
        repo.GitOk("add", ".gitattributes", Model);
        var first = repo.Commit("base");
        var scale = TensorFile.Random(9, 128, 0.5).Select(s => 1 + s).ToArray();
        File.WriteAllBytes(sandbox.Path("ia3.safetensors"), new TensorFile().Add(Weight + "/ia3", "F32", new long[] { 1, 128 }, scale).ToBytes());

        repo.ThetaOk("add", Model, "--update-type", "ia3", "--update-data", sandbox.Path("ia3.safetensors"));
        var second = repo.Commit("IA3");

        Assert.Equal("ia3", MetadataView.Parse(repo.Show($"{second}:{Model}"))[Weight].Type);
        var stored = TensorFile.Decode("F32", TensorFile.Encode("F32", scale));
        CheckOut(repo, second, v1.With(Weight, v1[Weight].Values.Select((v, i) => v * stored[i % 128]).ToArray()).ToBytes());
        CheckOut(repo, first, v1.ToBytes());
    }

    [Fact]
    public void Dense_checks_out_bitwise()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel("F32");
        var v2 = v1.With(Weight, TensorFile.Random(10, 64 * 128));
        var (first, second) = CommitPair(repo, v1, v2, "add", Model, "--update-type", "dense");
        Assert.Equal("dense", MetadataView.Parse(repo.Show($"{second}:{Model}"))[Weight].Type);
        CheckOut(repo, first, v1.ToBytes());
        CheckOut(repo, second, v2.ToBytes());
    }

    [Fact]
    public void The_theta_update_attribute_and_GIT_THETA_UPDATE_TYPE_choose_the_type_for_a_plain_git_add()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        File.AppendAllText(repo.Path(".gitattributes"), $"{Model} theta-update=sparse\n");
        var v1 = BaseModel("F32");
        var values = v1[Weight].Values.ToArray();
        values[10] = 1;
        var v2 = v1.With(Weight, values);
        var (_, second) = CommitPair(repo, v1, v2, "plain");
        Assert.Equal("sparse", MetadataView.Parse(repo.Show($"{second}:{Model}"))[Weight].Type);

        values[11] = 1;
        repo.Write(Model, v1.With(Weight, values).ToBytes());
        sandbox.Environment["GIT_THETA_UPDATE_TYPE"] = "dense";
        repo.GitOk("add", Model);
        sandbox.Environment.Remove("GIT_THETA_UPDATE_TYPE");
        var third = repo.Commit("v3");
        Assert.Equal("dense", MetadataView.Parse(repo.Show($"{third}:{Model}"))[Weight].Type);
    }

    [Fact]
    public void The_first_commit_has_nothing_to_build_on_so_it_is_stored_dense_with_a_note()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, BaseModel("F32").ToBytes());
        repo.GitOk("add", ".gitattributes");
        var result = repo.Theta("add", Model, "--update-type", "sparse").EnsureSuccess("git theta add");
        Assert.Contains("stored dense instead of sparse", result.Error);
        Assert.Contains("there is no commit yet to build on", result.Error);
        repo.Commit("base");
        Assert.All(MetadataView.Parse(repo.Show($"HEAD:{Model}")).Entries.Values, e => Assert.Equal("dense", e.Type));
    }

    [Fact]
    public void Update_data_with_a_misspelt_name_among_good_ones_is_refused_before_anything_is_staged()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel("F32");
        repo.Write(Model, v1.ToBytes());
        repo.GitOk("add", ".gitattributes", Model);
        repo.Commit("base");
        File.WriteAllBytes(sandbox.Path("lora.safetensors"), new TensorFile().Add("layers.0.weight/R", "F32", new long[] { 64, 1 }, new double[64]).Add("layers.0.wieght/C", "F32", new long[] { 1, 128 }, new double[128]).ToBytes());

        var result = repo.Theta("add", Model, "--update-type", "low-rank", "--update-data", sandbox.Path("lora.safetensors"));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("GT2019", result.Error);
        Assert.Contains("'layers.0.wieght/C'", result.Error);
        Assert.Equal(string.Empty, repo.GitOk("diff", "--cached", "--name-only"));
    }

    [Fact]
    public void Sparse_side_loaded_differences_are_added_and_update_data_naming_no_group_is_left_out_with_a_warning()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel("F32");
        repo.Write(Model, v1.ToBytes());
        repo.GitOk("add", ".gitattributes", Model);
        var first = repo.Commit("base");
        var indices = new long[] { 4000, 3, 500 };
        var differences = new[] { 0.5, -0.25, 1.0 };
        File.WriteAllBytes(sandbox.Path("sparse.safetensors"), new TensorFile().Add(Weight + "/indices", "I64", new long[] { 3 }, indices.Select(i => (double)i).ToArray()).Add(Weight + "/values", "F32", new long[] { 3 }, differences).ToBytes());

        repo.ThetaOk("add", Model, "--update-type", "sparse", "--update-data", sandbox.Path("sparse.safetensors"));
        var second = repo.Commit("sparse");

        var entry = MetadataView.Parse(repo.Show($"{second}:{Model}"))[Weight];
        Assert.Equal("sparse", entry.Type);
        Assert.Equal(first, entry.Base);
        var expected = TensorFile.Decode("F32", TensorFile.Encode("F32", v1[Weight].Values.ToArray()));
        for (var k = 0; k < indices.Length; k++)
        {
            expected[indices[k]] = TensorFile.Decode("F32", TensorFile.Encode("F32", new[] { expected[indices[k]] + differences[k] }))[0];
        }

        Assert.Equal(v1.With(Weight, expected).ToBytes(), repo.Read(Model));
        CheckOut(repo, second, v1.With(Weight, expected).ToBytes());

        File.WriteAllBytes(sandbox.Path("other.safetensors"), new TensorFile().Add("decoder.weight/indices", "I64", new long[] { 1 }, new double[] { 0 }).Add("decoder.weight/values", "F32", new long[] { 1 }, new double[] { 1 }).ToBytes());
        var v3 = v1.With(Bias, TensorFile.Random(7, 64));
        repo.Write(Model, v3.ToBytes());
        var foreign = repo.Theta("add", Model, "--update-type", "sparse", "--update-data", sandbox.Path("other.safetensors"));

        Assert.Equal(0, foreign.ExitCode);
        Assert.Contains("GT2019: the update data", foreign.Error);
        Assert.Contains("names no parameter group of model.safetensors", foreign.Error);
        Assert.Equal($"M  {Model}\n", repo.GitOk("status", "--porcelain"));
        Assert.Equal(v3.ToBytes(), repo.Read(Model));
    }

    [Fact]
    public void Side_loaded_low_rank_factors_in_numpys_batched_matmul_shapes_update_an_N_D_group()
    {
        const string Kernel = "conv.weight";
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = new TensorFile().Add(Kernel, "F32", new long[] { 4, 3, 3, 2 }, TensorFile.Random(11, 72, 0.5));
        repo.Write(Model, v1.ToBytes());
        repo.GitOk("add", ".gitattributes", Model);
        repo.Commit("base");

        // R [4, 1, 3, 1] @ C [3, 1, 2]: batch [4, 1] and [3] broadcast to [4, 3], each product [3, 1] @ [1, 2].
        var r = TensorFile.Decode("F32", TensorFile.Encode("F32", TensorFile.Random(12, 12, 0.5)));
        var c = TensorFile.Decode("F32", TensorFile.Encode("F32", TensorFile.Random(13, 6, 0.5)));
        File.WriteAllBytes(sandbox.Path("lora.safetensors"), new TensorFile().Add(Kernel + "/R", "F32", new long[] { 4, 1, 3, 1 }, r).Add(Kernel + "/C", "F32", new long[] { 3, 1, 2 }, c).ToBytes());

        repo.ThetaOk("add", Model, "--update-type", "low-rank", "--update-data", sandbox.Path("lora.safetensors"));
        var second = repo.Commit("batched factors");

        Assert.Equal("low-rank", MetadataView.Parse(repo.Show($"{second}:{Model}"))[Kernel].Type);
        var expected = TensorFile.Decode("F32", TensorFile.Encode("F32", v1[Kernel].Values));
        for (var a = 0; a < 4; a++)
        {
            for (var b = 0; b < 3; b++)
            {
                for (var i = 0; i < 3; i++)
                {
                    for (var j = 0; j < 2; j++)
                    {
                        expected[(((a * 3) + b) * 6) + (i * 2) + j] += r[(a * 3) + i] * c[(b * 2) + j];
                    }
                }
            }
        }

        CheckOut(repo, second, v1.With(Kernel, expected).ToBytes());
    }

    private static TensorFile BaseModel(string dtype) =>
        new TensorFile().Add(Weight, dtype, new long[] { 64, 128 }, TensorFile.Random(1, 64 * 128, 0.5)).Add(Bias, dtype, new long[] { 64 }, TensorFile.Random(2, 64));

    /// <summary>Commits v1 with plain git add, then v2 with git theta add and the given arguments ("plain": git add).</summary>
    private static (string First, string Second) CommitPair(GitRepo repo, TensorFile v1, TensorFile v2, params string[] addArguments)
    {
        repo.Write(Model, v1.ToBytes());
        repo.GitOk("add", ".gitattributes", Model);
        var first = repo.Commit("base");
        repo.Write(Model, v2.ToBytes());
        if (addArguments is ["plain"])
        {
            repo.GitOk("add", Model);
        }
        else
        {
            repo.ThetaOk(addArguments.Skip(1).Prepend("add").ToArray());
        }

        return (first, repo.Commit("update"));
    }

    private static void CheckOut(GitRepo repo, string commit, byte[] expected)
    {
        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "-q", commit, "--", Model);
        Assert.Equal(expected, repo.Read(Model));
    }

    private static void CheckOutClose(GitRepo repo, string commit, TensorFile expected, double atol, double rtol)
    {
        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "-q", commit, "--", Model);
        var actual = TensorFile.Read(repo.Read(Model));
        foreach (var tensor in expected.Tensors)
        {
            var values = actual[tensor.Name].Values;
            Assert.Equal(tensor.Values.Length, values.Length);
            for (var i = 0; i < values.Length; i++)
            {
                Assert.True(Math.Abs(values[i] - tensor.Values[i]) <= atol + (rtol * Math.Abs(tensor.Values[i])), $"{tensor.Name}[{i}] is {values[i]}, committed {tensor.Values[i]}");
            }
        }
    }

    private static (double[] R, double[] C) Factors(int rows, int columns, int rank, int seed) =>
        (TensorFile.Random(seed, rows * rank, 0.1), TensorFile.Random(seed + 1, rank * columns, 0.1));

    /// <summary>old + R·C in float64, each element summing its products in order, as a LoRA merge would.</summary>
    private static double[] PlusProduct(double[] old, double[] r, double[] c, int rows, int rank, int columns)
    {
        var result = old.ToArray();
        for (var i = 0; i < rows; i++)
        {
            for (var x = 0; x < columns; x++)
            {
                var sum = 0.0;
                for (var j = 0; j < rank; j++)
                {
                    sum += r[(i * rank) + j] * c[(j * columns) + x];
                }

                result[(i * columns) + x] += sum;
            }
        }

        return result;
    }

    /// <summary>The length of a stored object's safetensors header (8-byte length prefix included).</summary>
    private static long HeaderBytes(GitRepo repo, MetadataView.Entry entry)
    {
        var bytes = File.ReadAllBytes(repo.ObjectFile(entry.Oid));
        return 8 + BitConverter.ToInt64(bytes, 0);
    }
}
